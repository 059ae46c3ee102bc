import { DATASETS_FOLDER } from '../config/load';
import { bicubicUpscaler } from './bicubic';
import { evaluateDirectory, type SetResult, type Upscaler } from '../metrics/evaluate';
import type { EvalReport, SetReport } from './report';

/** The four standard SR benchmarks, by path from the repository root. */
export const BENCHMARK_SETS: readonly string[] = ['Set5', 'Set14', 'B100', 'Urban100'].map((set) => `${DATASETS_FOLDER}/${set}/HR`);

/** Called after each folder and method is scored, e.g. to log progress. */
export type EvalProgress = (event: { dir: string; method: string; result: SetResult; seconds: number }) => void;

/**
 * Scores bicubic and, when given, a model on each HR folder: what `npm run eval` prints and
 * what the exporter records in the model manifest.
 *
 * @example
 * const report = await evaluateSets(['../shared/datasets/Set5/HR'], 2, entry.file, await loadOnnxUpscaler(`model/${entry.file}`));
 * report.sets[0]?.model?.psnr; // the model's mean Y-PSNR on Set5
 */
export async function evaluateSets(dirs: readonly string[], scale: number, model: string, upscaler?: Upscaler, onProgress?: EvalProgress): Promise<EvalReport> {
  const score = async (dir: string, method: string, upscale: Upscaler): Promise<SetResult> => {
    const start = performance.now();
    const result = await evaluateDirectory(dir, scale, upscale);
    onProgress?.({ dir, method, result, seconds: (performance.now() - start) / 1000 });
    return result;
  };
  const bicubic = bicubicUpscaler(scale);
  const sets: SetReport[] = [];
  for (const dir of dirs) {
    const bicubicResult = await score(dir, 'bicubic', bicubic);
    const modelResult = upscaler ? await score(dir, model, upscaler) : undefined;
    sets.push({ set: bicubicResult.set, bicubic: bicubicResult, ...(modelResult ? { model: modelResult } : {}) });
  }
  return { scale, model, sets };
}
