/** Latency summary of one kind of request, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Nearest-rank percentiles (the smallest sample with at least p% of samples at or below it), so
 * every figure reported is a latency that was actually measured.
 *
 * @example
 * summarise([5, 1, 3]); // { count: 3, p50: 3, p90: 5, p99: 5, max: 5 }
 */
export function summarise(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { count: sorted.length, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted[sorted.length - 1]! };
}
