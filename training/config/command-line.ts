import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCalibrationMethod, type CalibrationMethod } from './calibration-method';

/** A command line that cannot be run as given; every command prints it with its usage and exits 2 (training/cli/run-cli.ts). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `node:util` parseArgs whose complaints (unknown flag, missing value) become {@link UsageError}s,
 * so every CLI reports a bad command line the same way.
 *
 * @example
 * const { values } = parseCommandLine({ args: argv, strict: true, options: { scale: { type: 'string' } } });
 */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The value of `flag` as a positive integer, or undefined when the flag was not given.
 *
 * @example
 * positiveIntegerFlag('--workers', values.workers); // 2 for "2"; UsageError for "0" or "two"
 */
export function positiveIntegerFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got ${text}`);
  return value;
}

/**
 * The calibration methods of a flag's comma-separated value (`minmax`, `percentile:<50..100>`).
 *
 * @example
 * calibrationFlag('--calibrations', 'minmax,percentile:99.999'); // two methods
 */
export function calibrationFlag(flag: string, text: string): CalibrationMethod[] {
  return text.split(',').map((item) => {
    const method = parseCalibrationMethod(item);
    if (method === undefined) throw new UsageError(`${flag}: expected minmax or percentile:<50..100>, got ${item}`);
    return method;
  });
}
