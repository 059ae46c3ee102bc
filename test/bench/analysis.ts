/*
 * The streaming issue's targets and the arithmetic the benchmark applies to its measurements:
 * body timings from chunk arrivals, seconds per megapixel, the cost model they imply, and
 * pass/fail against each target. Pure, unit-tested in analysis.test.ts.
 */

/** Megabytes as the targets state them (10^6 bytes). */
export const MB = 1e6;

/** The targets. */
export const TARGETS = {
  /** Peak isolate memory of the largest accepted request of each kind. */
  memoryBytes: 96 * MB,
  /** A 512x512 x2 PNG miss: first body byte within this share of the total time. */
  firstByteShare: 0.3,
  /** ... and end to end within this, in ms. */
  ttfbTotalMs: 1500,
  /** A 24 MP JPEG → width=640: end to end within this, in ms. */
  thumbnailMs: 1500,
  /** ... and peak isolate memory within this. */
  thumbnailBytes: 40 * MB,
  /** Cache hits under a mixed load with large streams: p99 within this, in ms (`npm run test:load`). */
  hitP99Ms: 250,
} as const;

/** One chunk of a response body as the client received it: ms since the request started, and its size. */
export interface Arrival {
  readonly ms: number;
  readonly bytes: number;
}

/** Client-side body timings: first chunk, the chunk that reached `threshold` bytes in all, and the size. */
export interface BodyTimes {
  /** The first body chunk's arrival (undefined for an empty body). */
  readonly firstByteMs: number | undefined;
  /** When the body had `threshold` bytes (undefined if it never did). */
  readonly thresholdMs: number | undefined;
  readonly bytes: number;
}

/**
 * When the body started and when it had `threshold` bytes, from its chunk arrivals.
 *
 * @example
 * bodyTimes([{ ms: 10, bytes: 33 }, { ms: 500, bytes: 20000 }], 16384); // { firstByteMs: 10, thresholdMs: 500, bytes: 20033 }
 */
export function bodyTimes(arrivals: readonly Arrival[], threshold: number): BodyTimes {
  let bytes = 0;
  let thresholdMs: number | undefined;
  for (const arrival of arrivals) {
    bytes += arrival.bytes;
    if (thresholdMs === undefined && bytes >= threshold) thresholdMs = arrival.ms;
  }
  return { firstByteMs: arrivals.find((arrival) => arrival.bytes > 0)?.ms, thresholdMs, bytes };
}

/** A measured request of a kind, for the cost model. */
export interface CostRun {
  /** Model scale run, if any. */
  readonly scale: number | undefined;
  /** Model output pixels (0 without a model). */
  readonly modelPixels: number;
  /** The plan's peak pixels: what `streamSecondsPerMegapixel` multiplies. */
  readonly peakPixels: number;
  /** End to end, client side. */
  readonly totalMs: number;
  /** Sum of the model runs' wall time. */
  readonly inferenceMs: number;
}

/**
 * Seconds per megapixel of one request: inference per model-output megapixel (tiles and their
 * overlap included, as the Worker runs them), and everything else (fetch, decode, resample, encode,
 * the cache tee, the proxy) per peak megapixel.
 *
 * @example
 * secondsPerMegapixel({ scale: 2, modelPixels: 4e6, peakPixels: 4e6, totalMs: 6000, inferenceMs: 5000 }); // { infer: 1.25, stream: 0.25 }
 */
export function secondsPerMegapixel(run: CostRun): { readonly infer: number | undefined; readonly stream: number } {
  const infer = run.scale === undefined || run.modelPixels === 0 ? undefined : run.inferenceMs / 1000 / (run.modelPixels / 1e6);
  return { infer, stream: (run.totalMs - run.inferenceMs) / 1000 / (run.peakPixels / 1e6) };
}

/** Rounds up to `step` (0.05 s/MP): a cost estimate errs on the slow side. */
export function roundUp(value: number, step = 0.05): number {
  return Math.round(Math.max(0, Math.ceil(value / step - 1e-9)) * step * 1e6) / 1e6;
}

/** A cost model recommended from runs, with the run that set each number. */
export interface CostRecommendation {
  readonly inferSecondsPerMegapixel: Readonly<Record<number, number>>;
  readonly streamSecondsPerMegapixel: number;
  /** Label of the run that set the stream rate. */
  readonly streamFrom: string;
  /** Labels of the runs that took longer than the recommended model estimates (none when it bounds them all). */
  readonly underestimated: readonly string[];
}

/**
 * The cost model recommended by `runs` (labelled by kind) under a deadline: per scale, the largest
 * inference rate measured, rounded up to 0.05 s/MP; then the stream rate that bounds the most runs
 * without refusing any of them: each run needs `(total − inference estimate) / peak MP`; the
 * largest such rate, rounded up, unless its estimate of some run would exceed the deadline (one rate
 * multiplies every plan's peak, so a slow small plan, such as a WebP encoded whole, can ask for a
 * rate that would refuse a 24 MP thumbnail that streams in seconds), in which case the next lower
 * one; the runs it does not bound are listed.
 *
 * @example
 * recommendCost([{ label: 'x2-png', run }], 60_000).inferSecondsPerMegapixel[2];
 */
export function recommendCost(runs: readonly { readonly label: string; readonly run: CostRun }[], deadlineMs: number): CostRecommendation {
  const infer: Record<number, number> = {};
  for (const { run } of runs) {
    const rate = secondsPerMegapixel(run).infer;
    if (run.scale !== undefined && rate !== undefined) infer[run.scale] = Math.max(infer[run.scale] ?? 0, rate);
  }
  const inferSecondsPerMegapixel = Object.fromEntries(Object.entries(infer).map(([scale, rate]) => [scale, roundUp(rate)]));
  const inferOnly = { inferSecondsPerMegapixel, streamSecondsPerMegapixel: 0 };
  const needs = runs
    .map(({ label, run }) => ({ label, rate: roundUp(Math.max(0, (run.totalMs / 1000 - estimateSeconds(run, inferOnly)) / (run.peakPixels / 1e6))) }))
    .sort((a, b) => b.rate - a.rate);
  const refusesNone = (rate: number) =>
    runs.every(({ run }) => estimateSeconds(run, { inferSecondsPerMegapixel, streamSecondsPerMegapixel: rate }) * 1000 <= deadlineMs);
  const chosen = needs.find(({ rate }) => refusesNone(rate)) ?? { label: '-', rate: 0 };
  const model = { inferSecondsPerMegapixel, streamSecondsPerMegapixel: chosen.rate };
  const underestimated = runs.filter(({ run }) => run.totalMs / 1000 > estimateSeconds(run, model) + 1e-9).map(({ label }) => label);
  return { inferSecondsPerMegapixel, streamSecondsPerMegapixel: chosen.rate, streamFrom: chosen.label, underestimated: [...new Set(underestimated)] };
}

/**
 * What the cost model estimates for a plan (src/http/pipeline.ts `estimateSeconds`): inference over
 * the model output plus the rest over the peak raster.
 */
export function estimateSeconds(
  run: Pick<CostRun, 'scale' | 'modelPixels' | 'peakPixels'>,
  cost: { readonly inferSecondsPerMegapixel: Readonly<Record<string, number>>; readonly streamSecondsPerMegapixel: number },
): number {
  const rates = Object.values(cost.inferSecondsPerMegapixel);
  const infer = run.scale === undefined ? 0 : (run.modelPixels / 1e6) * (cost.inferSecondsPerMegapixel[run.scale] ?? Math.max(...rates));
  return infer + (run.peakPixels / 1e6) * cost.streamSecondsPerMegapixel;
}

/** `pass` or `FAIL` (capitals, so that a failure stands out in a table). */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '-' : ok ? 'pass' : 'FAIL';
}
