import { stat } from 'node:fs/promises';
import { initBackend } from '../backend/init';
import { loadCheckpoint, MissingCheckpointError, resolveCheckpointDir } from '../checkpoint/load';
import { buildModel } from '../loop/session';
import { tfjsUpscaler } from '../loop/tfjs-upscaler';
import { UsageError } from '../config/command-line';
import type { Upscaler } from '../metrics/evaluate';
import { loadOnnxUpscaler } from './onnx-upscaler';
import { serviceUpscaler } from './service-upscaler';

/**
 * The upscaler `--model` names: the running service at an `http(s)://` URL (what users get), a
 * `.onnx` file (onnxruntime-node), or a checkpoint directory, or a run directory (its latest
 * checkpoint) run with tfjs on the wasm backend as it trains (quantization-aware ones through
 * their int8 rounding). A checkpoint trained for another scale is an error, not a silently
 * meaningless score.
 *
 * @example
 * const upscaler = await loadModelUpscaler('training/runs/wdsr_b_x2_f32b16', 2);
 */
export async function loadModelUpscaler(model: string, scale: number): Promise<Upscaler> {
  if (/^https?:\/\//i.test(model)) return serviceUpscaler(model, scale);
  if (model.toLowerCase().endsWith('.onnx')) return loadOnnxUpscaler(model);
  const info = await stat(model).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--model ${model} is neither bicubic, a .onnx file, nor a checkpoint or run directory`);
  const checkpointDir = await resolveCheckpointDir(model).catch((error: unknown) => {
    throw error instanceof MissingCheckpointError ? new UsageError(error.message) : error;
  });
  const { config, weights } = await loadCheckpoint(checkpointDir);
  if (config.arch.scale !== scale) throw new UsageError(`${checkpointDir} is a x${config.arch.scale} model, but --scale is ${scale}`);
  await initBackend('wasm');
  // The run's own model builder: a quantization-aware checkpoint scores through its int8 rounding.
  return tfjsUpscaler(buildModel(config, weights));
}
