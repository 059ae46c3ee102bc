import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Checkpoint } from '../checkpoint/format';
import { loadCheckpoint, resolveCheckpointDir } from '../checkpoint/load';
import { loadStartingPoint } from '../checkpoint/starting-point';
import { resolveRepoPath } from '../config/load';
import { loadOnnxUpscaler } from '../eval/onnx-upscaler';
import { manifestSetMetrics } from '../eval/report';
import { evaluateSets } from '../eval/sets';
import { trainingCalibrationSamples } from './calibrate';
import { parseCalibrationMethod, type CalibrationMethod } from './calibration-method';
import { exportModel, type ExportResult, type Int8Options, type Quantization } from './export';
import { writeManifestEntry, type ManifestModel, type ModelPrecision } from './manifest';

export interface ExportOptions {
  /** A run directory (its latest checkpoint is exported) or one checkpoint directory. */
  readonly run: string;
  /** fp32 exports a reference; int8 (static, QDQ) and int8-weights export the served model of the scale. */
  readonly precision: ModelPrecision;
  /** Records a quantized export under `references` (kept for comparison and benchmarks), not as the served model. */
  readonly reference?: boolean;
  /** Model id and file stem; defaults to e.g. `wdsr-b-x2` (served), `wdsr-b-x2-fp32` or `wdsr-b-x2-int8` (references). */
  readonly id?: string;
  readonly modelDir: string;
  /** Static int8 only, as the next one. */
  readonly calibration: CalibrationMethod;
  readonly calibrationPatches: number;
  /** Convs kept in float by a quantized export (a quantization-aware run brings its own). */
  readonly floatConvs: readonly string[];
  /** HR folders to measure the exported model on (with bicubic alongside). */
  readonly evalDirs: readonly string[];
}

/**
 * `npm run export`: the latest checkpoint of a run as an ONNX model in model/, measured
 * on the evaluation sets, and recorded in model/manifest.json (a quantized model as the served
 * model of its scale, fp32 as the reference it was quantized from).
 */
export async function exportRun(options: ExportOptions): Promise<ManifestModel> {
  const served = options.precision !== 'fp32' && options.reference !== true;
  const quantize: QuantizeSettings | undefined =
    options.precision === 'fp32' ? undefined : options.precision === 'int8-weights' ? { precision: 'int8-weights', floatConvs: options.floatConvs } : { ...options, precision: 'int8' };
  const { checkpointDir, checkpoint, bytes, entry } = await exportCheckpoint(options.run, quantize);
  const { config } = checkpoint;
  const id = options.id ?? `${config.arch.arch.replace('_', '-')}-x${config.arch.scale}${served ? '' : `-${options.precision}`}`;
  const file = `${id}.onnx`;
  await mkdir(options.modelDir, { recursive: true });
  const path = join(options.modelDir, file);
  await writeFile(path, bytes);

  const report = await evaluateSets(options.evalDirs, config.arch.scale, file, await loadOnnxUpscaler(path));
  const manifestEntry: ManifestModel = {
    id,
    file,
    ...entry,
    training: {
      run: config.name,
      checkpoint: basename(resolve(checkpointDir)),
      iterations: checkpoint.iteration,
      data: config.data.train,
      patch: config.data.hrPatchSize,
      batchSize: config.train.batchSize,
    },
    metrics: {
      protocol: 'Y-PSNR (dB) / Y-SSIM, MATLAB bicubic LR of the mod-cropped HR, shave = scale, output rounded to 8 bits',
      command: `npm run eval -- --scale ${config.arch.scale} ${options.evalDirs.map((d) => `--data ${d}`).join(' ')} --model ${path}`,
      sets: manifestSetMetrics(report),
    },
  };
  await writeManifestEntry(options.modelDir, manifestEntry, served ? 'models' : 'references');
  return manifestEntry;
}

/** How a float checkpoint is quantized to static int8 (a quantization-aware one brings its own ranges and float convs). */
export type Int8Settings = Pick<ExportOptions, 'calibration' | 'calibrationPatches' | 'floatConvs'>;

/** How a checkpoint is quantized for export: weight-only int8, or static int8 with these settings. */
export type QuantizeSettings = { readonly precision: 'int8-weights'; readonly floatConvs: readonly string[] } | ({ readonly precision: 'int8' } & Int8Settings);

/** An exported checkpoint, with where it was read from. */
export interface ExportedCheckpoint extends ExportResult {
  readonly checkpointDir: string;
  readonly checkpoint: Checkpoint;
}

/**
 * A run's latest checkpoint (or one checkpoint directory) exported in memory as `npm run export`
 * exports it: fp32 without `quantize`, else quantized as it says.
 *
 * @example
 * const { bytes, entry } = await exportCheckpoint(runDir, { precision: 'int8-weights', floatConvs: ['tail', 'skip'] });
 */
export async function exportCheckpoint(run: string, quantize: QuantizeSettings | undefined): Promise<ExportedCheckpoint> {
  const checkpointDir = await resolveCheckpointDir(run);
  const checkpoint = await loadCheckpoint(checkpointDir);
  let quantization: Quantization | undefined;
  if (quantize?.precision === 'int8-weights') {
    // Its weights were trained through activation rounding that a weight-only model does not do.
    if (checkpoint.config.quantization !== undefined) throw new Error(`${checkpointDir} is quantization-aware: export it as --int8`);
    quantization = { int8Weights: true, floatConvs: quantize.floatConvs };
  } else if (quantize !== undefined) {
    quantization = await int8Options(checkpoint.config, quantize);
  }
  return { checkpointDir, checkpoint, ...(await exportModel(checkpoint.config.arch, checkpoint.weights, quantization)) };
}

/**
 * A quantization-aware run's checkpoint is exported with the ranges and float convs it was
 * trained with (the command's calibration options do not apply; the float checkpoint or model it
 * started from must still exist, to be named); any other is calibrated now.
 */
async function int8Options(config: Checkpoint['config'], options: Int8Settings): Promise<Int8Options> {
  const { quantization } = config;
  if (quantization !== undefined) {
    const method = parseCalibrationMethod(quantization.calibration)!;
    // Recorded so the model report pairs the int8 model with the fp32 export of the checkpoint it was fine-tuned from.
    const { origin: from } = await loadStartingPoint(resolveRepoPath(quantization.from), config.arch);
    return { floatConvs: quantization.floatConvs, trained: { method, samples: quantization.calibrationPatches, from } };
  }
  const trainDirs = config.data.train.map(resolveRepoPath);
  return {
    samples: await trainingCalibrationSamples(trainDirs, config.arch.scale, config.data.hrPatchSize, options.calibrationPatches),
    method: options.calibration,
    floatConvs: options.floatConvs,
  };
}

