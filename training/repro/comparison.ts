import { finalPsnr, type RunSummary } from './collect';
import { formatDelta, formatMeanStd } from './markdown';
import { mean, pairedDirection, sampleStd, type Direction } from './stats';

/** What the paper claims about `a - b`: strictly better, or "better or similar" (Section 4.1 on WDSR-B vs WDSR-A). */
export type Claim = 'higher' | 'not lower' | 'none';

/** `a - b` on one evaluation set, over the seeds both finished. */
export interface SetDifference {
  readonly set: string;
  readonly differences: readonly number[];
  readonly direction?: Direction;
}

/**
 * Per-set PSNR differences of two groups of runs, paired by seed (runs of the same seed
 * see the same patches in the same order), judged against `noise` (a single run's
 * seed-to-seed std per set) when only one pair exists.
 */
export function compareRuns(
  a: readonly RunSummary[],
  b: readonly RunSummary[],
  sets: readonly string[],
  noise: ReadonlyMap<string, number | undefined>,
): SetDifference[] {
  return sets.map((set) => {
    const differences: number[] = [];
    for (const runA of a) {
      const runB = b.find((r) => r.experiment.config.train.seed === runA.experiment.config.train.seed);
      const [psnrA, psnrB] = [finalPsnr(runA, set), runB === undefined ? undefined : finalPsnr(runB, set)];
      if (psnrA !== undefined && psnrB !== undefined) differences.push(psnrA - psnrB);
    }
    return { set, differences, ...(differences.length === 0 ? {} : { direction: pairedDirection(differences, noise.get(set)) }) };
  });
}

/** `+0.12 ± 0.02 (n=3), higher` or `not measured`. */
export function formatDifference(difference: SetDifference): string {
  const { differences: d, direction } = difference;
  if (d.length === 0 || direction === undefined) return 'not measured';
  return `${formatMeanStd(mean(d), sampleStd(d), d.length, formatDelta)}, ${direction}`;
}

/**
 * The verdict on a claim from its per-set differences: confirmed or contradicted only when
 * every set agrees beyond noise; "not measured" while a run it needs has not finished.
 */
export function verdict(claim: Claim, differences: readonly SetDifference[]): string {
  if (differences.some((d) => d.direction === undefined)) return 'not measured yet';
  const directions = differences.map((d) => d.direction!);
  if (directions.includes('noise unknown')) return 'not judged: seed noise not measured yet';
  if (claim === 'none') return 'control (not a claim of the paper)';
  if (claim === 'not lower') {
    if (directions.includes('lower')) return 'contradicted';
    return directions.every((d) => d === 'higher') ? 'confirmed (better)' : 'consistent (similar within noise)';
  }
  if (directions.every((d) => d === 'higher')) return 'confirmed';
  if (directions.every((d) => d === 'lower')) return 'contradicted';
  if (directions.every((d) => d === 'within noise')) return 'not confirmed: within seed noise';
  return `mixed: ${differences.map((d) => `${d.set} ${d.direction}`).join(', ')}`;
}
