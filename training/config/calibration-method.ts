/**
 * How activation ranges are chosen from calibration data: the observed extremes, or
 * percentiles that clip rare outliers to spend the 256 levels on the bulk of values.
 */
export type CalibrationMethod = { kind: 'minmax' } | { kind: 'percentile'; percentile: number };

/**
 * Reads a method as the export command and experiment configs write it: `minmax` or
 * `percentile:<p>` with p in (50, 100]; undefined for anything else.
 *
 * @example
 * parseCalibrationMethod('percentile:99.999'); // { kind: 'percentile', percentile: 99.999 }
 */
export function parseCalibrationMethod(text: string): CalibrationMethod | undefined {
  if (text === 'minmax') return { kind: 'minmax' };
  const match = /^percentile:(\d+(?:\.\d+)?)$/.exec(text);
  const percentile = match ? Number(match[1]) : NaN;
  return percentile > 50 && percentile <= 100 ? { kind: 'percentile', percentile } : undefined;
}
