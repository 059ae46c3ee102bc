/**
 * One axis of a chart: the value range it shows, where its ticks go, and how values map
 * onto it. Ticks land on "nice" values (1, 2 and 5 times a power of ten) so a reader can
 * interpolate by eye, and the range is widened outward to the first and last tick.
 */
export interface Axis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  /** Position of `value` along the axis: 0 at `domain[0]`, 1 at `domain[1]`. */
  fraction(value: number): number;
  /** A tick label with no more digits than the tick spacing needs (`0.05`, `1,000`). */
  format(value: number): string;
}

const NICE_MANTISSAS = [1, 2, 5] as const;

/** The 1/2/5 x 10^k step nearest to `rough` on a log scale, so the tick count stays near the target. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const distance = (m: number) => Math.abs(Math.log(m * power) - Math.log(rough));
  const mantissa = [...NICE_MANTISSAS, 10].reduce((best, m) => (distance(m) < distance(best) ? m : best));
  return mantissa * power;
}

/**
 * A linear axis covering [min, max] with about `targetTicks` intervals.
 *
 * @example
 * linearAxis(0.3, 9.6).ticks; // [0, 2, 4, 6, 8, 10]
 */
export function linearAxis(min: number, max: number, targetTicks = 5): Axis {
  // A flat series still needs a visible range; widen it symmetrically.
  const pad = min === max ? Math.max(Math.abs(min) * 0.05, 1) : 0;
  const [low, high] = [min - pad, max + pad];
  const step = niceStep((high - low) / targetTicks);
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // Each tick from its index (not by repeated addition) so 0.1 + 0.2 never shows up as 0.30000000000000004.
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals)));
  const domain: [number, number] = [ticks[0]!, ticks.at(-1)!];
  return {
    domain,
    ticks,
    fraction: (value) => (value - domain[0]) / (domain[1] - domain[0]),
    format: (value) => value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }),
  };
}

/**
 * A base-10 logarithmic axis over positive [min, max], bounded and ticked at 1/2/5 x 10^k
 * (only at powers of ten when the range spans more than three decades, to stay legible).
 *
 * @example
 * logAxis(0.013, 0.3).ticks; // [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
 */
export function logAxis(min: number, max: number): Axis {
  if (!(min > 0) || !(max >= min)) throw new RangeError(`a log axis needs 0 < min <= max, got [${min}, ${max}]`);
  const candidates: number[] = [];
  for (let power = Math.floor(Math.log10(min)) - 1; power <= Math.ceil(Math.log10(max)); power++) {
    for (const mantissa of NICE_MANTISSAS) candidates.push(Number((mantissa * 10 ** power).toPrecision(1)));
  }
  let lowIndex = candidates.findLastIndex((c) => c <= min * (1 + 1e-9));
  let highIndex = candidates.findIndex((c) => c >= max * (1 - 1e-9));
  if (lowIndex === highIndex) [lowIndex, highIndex] = [lowIndex - 1, highIndex + 1];
  const domain: [number, number] = [candidates[lowIndex]!, candidates[highIndex]!];
  let ticks = candidates.slice(lowIndex, highIndex + 1);
  if (Math.log10(domain[1] / domain[0]) > 3) ticks = ticks.filter((t) => Number.isInteger(Math.log10(t)));
  const [logLow, logHigh] = [Math.log10(domain[0]), Math.log10(domain[1])];
  return {
    domain,
    ticks,
    fraction: (value) => (Math.log10(value) - logLow) / (logHigh - logLow),
    format: (value) => String(Number(value.toPrecision(1))),
  };
}
