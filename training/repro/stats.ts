/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2 : sorted[Math.floor(middle)]!;
}

/** Sample standard deviation (n - 1 in the denominator); NaN for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

/** How a measured difference compares with the noise it carries. */
export type Direction = 'higher' | 'lower' | 'within noise' | 'noise unknown';

/**
 * A difference of two networks' PSNR over paired seeds (same seed, so same data order):
 * beyond noise when every seed agrees in sign and the mean exceeds twice its standard
 * error (sd / sqrt(n)). With one pair there is no spread to measure, so `singleRunStd`
 * (one run's seed-to-seed std, measured elsewhere) stands in: the difference of two
 * runs has std sqrt(2) times that.
 *
 * @example
 * pairedDirection([0.12, 0.09, 0.15], undefined); // 'higher'
 */
export function pairedDirection(differences: readonly number[], singleRunStd: number | undefined): Direction {
  const m = mean(differences);
  const threshold =
    differences.length >= 2
      ? (2 * sampleStd(differences)) / Math.sqrt(differences.length)
      : singleRunStd === undefined
        ? undefined
        : 2 * Math.SQRT2 * singleRunStd;
  if (threshold === undefined || Number.isNaN(threshold)) return 'noise unknown';
  const agree = (sign: number) => differences.every((d) => Math.sign(d) === sign);
  if (m > threshold && agree(1)) return 'higher';
  if (m < -threshold && agree(-1)) return 'lower';
  return 'within noise';
}

/** The pooled seed-to-seed std of several groups (root of the mean variance); undefined without a group of two or more. */
export function pooledStd(groups: readonly (readonly number[])[]): number | undefined {
  const variances = groups.filter((g) => g.length >= 2).map((g) => sampleStd(g) ** 2);
  return variances.length === 0 ? undefined : Math.sqrt(mean(variances));
}
