import type { ExperimentConfig } from '../config/experiment';
import { resolveRepoPath } from '../config/load';
import { evaluateDirectory, type SetResult } from '../metrics/evaluate';
import { tfjsUpscaler } from './tfjs-upscaler';
import type { TfjsModel } from '../model/tfjs-model';

/**
 * Y-PSNR/SSIM of the model on the config's validation folder, by the same evaluator
 * and protocol as the published numbers (whole-image inference, shave = scale).
 */
export function validate(model: TfjsModel, config: ExperimentConfig): Promise<SetResult> {
  return evaluateDirectory(resolveRepoPath(config.data.val), config.arch.scale, tfjsUpscaler(model));
}
