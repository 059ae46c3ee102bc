import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveRepoPath } from '../config/load';
import { loadModelUpscaler } from '../eval/model-upscaler';
import type { EvalReport } from '../eval/report';
import { evaluateSets } from '../eval/sets';

/** A finished run's scores on the report's sets, kept in its run directory. */
export const FINAL_EVAL_FILE = 'final-eval.json';
/** Bicubic's scores on the report's sets, kept in the run root. */
const BICUBIC_EVAL_FILE = 'bicubic-eval.json';

/**
 * The final checkpoint of a finished run scored on `dirs` (with bicubic alongside) by
 * `evaluateSets`, the protocol of `npm run eval`. Scoring B100 takes minutes on this CPU,
 * so the result is stored in the run directory and reused while the run's final
 * iteration and the folders are unchanged.
 *
 * @example
 * const report = await finalEvaluation(runDir, 2000, 2, ['../shared/datasets/Set5/HR', '../shared/datasets/B100/HR']);
 */
export async function finalEvaluation(runDir: string, iteration: number, scale: number, dirs: readonly string[]): Promise<EvalReport> {
  return cached(join(runDir, FINAL_EVAL_FILE), { iteration, scale, dirs }, async () =>
    evaluateSets(dirs.map(resolveRepoPath), scale, basename(runDir), await loadModelUpscaler(runDir, scale)),
  );
}

/**
 * The scores `finalEvaluation` stored in a run's committed record, which has no
 * checkpoint to score again: an error when they were computed for other folders.
 */
export async function storedFinalEvaluation(recordDir: string, iteration: number, scale: number, dirs: readonly string[]): Promise<EvalReport> {
  const report = await readStored(join(recordDir, FINAL_EVAL_FILE), { iteration, scale, dirs });
  if (report === undefined) {
    throw new Error(
      `${recordDir} holds no final scores on ${dirs.join(', ')} at iteration ${iteration}, and a record keeps no checkpoint to score: delete the record and train the run again`,
    );
  }
  return report;
}

/** Bicubic on `dirs`, the baseline every table and plot shows; stored in `runRoot` like `finalEvaluation`'s scores. */
export async function bicubicEvaluation(runRoot: string, scale: number, dirs: readonly string[]): Promise<EvalReport> {
  return cached(join(runRoot, BICUBIC_EVAL_FILE), { scale, dirs }, () => evaluateSets(dirs.map(resolveRepoPath), scale, 'bicubic'));
}

/** The report stored at `path` when it was computed for the same `key`, else a fresh one (then stored). */
async function cached(path: string, key: object, compute: () => Promise<EvalReport>): Promise<EvalReport> {
  const stored = await readStored(path, key);
  if (stored !== undefined) return stored;
  const report = await compute();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ key, report })}\n`);
  return report;
}

/** The report stored at `path` when it was computed for the same `key`; undefined otherwise. */
async function readStored(path: string, key: object): Promise<EvalReport | undefined> {
  const stored = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as { key: unknown; report: EvalReport },
    () => undefined,
  );
  return stored !== undefined && JSON.stringify(stored.key) === JSON.stringify(key) ? stored.report : undefined;
}
