import { buildArch } from '../archs/index';
import { parseCalibrationMethod } from '../config/calibration-method';
import type { ExperimentConfig } from '../config/experiment';
import { resolveRepoPath } from '../config/load';
import { hasRanges, rangeWeights } from '../model/quantization/plan';
import type { NamedWeights } from '../model/weights';
import { loadStartingPoint } from '../onnx/starting-point';
import { calibrate, trainingCalibrationSamples } from './calibrate';

/**
 * The weights a fresh quantization-aware run starts from: the float checkpoint or fp32
 * model `quantization.from` pins (see `loadStartingPoint`), plus activation ranges calibrated on it exactly as
 * `npm run export -- --int8` calibrates (the same training patches), so the run starts as
 * the post-training int8 model and later exports with the ranges it trained with.
 * Undefined for a float run (its weights come from `train.seed`).
 *
 * @example
 * const model = buildModel(config, checkpoint?.weights ?? (await quantizationAwareStart(config)));
 */
export async function quantizationAwareStart(config: ExperimentConfig): Promise<NamedWeights | undefined> {
  const { quantization } = config;
  if (quantization === undefined) return undefined;
  const source = await loadStartingPoint(quantization.from, config.arch, 'quantization.from');
  if (hasRanges(source.weights)) throw new Error(`quantization.from: ${quantization.from.file} is already quantization-aware; start from a float checkpoint`);
  const samples = await trainingCalibrationSamples(
    config.data.train.map(resolveRepoPath),
    config.arch.scale,
    config.data.hrPatchSize,
    quantization.calibrationPatches,
  );
  const method = parseCalibrationMethod(quantization.calibration)!;
  const plan = await calibrate(buildArch(config.arch), source.weights, samples, method, new Set(quantization.floatConvs));
  return new Map([...source.weights, ...rangeWeights(plan)]);
}
