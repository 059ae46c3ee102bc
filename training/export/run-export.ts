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
import { exportModel, type ExportResult, type Int8Options } from './export';
import { writeManifestEntry, type ManifestModel } from './manifest';

export interface ExportOptions {
  /** A run directory (its latest checkpoint is exported) or one checkpoint directory. */
  readonly run: string;
  readonly int8: boolean;
  /** Model id and file stem; defaults to e.g. `wdsr-b-x2` (int8) or `wdsr-b-x2-fp32`. */
  readonly id?: string;
  readonly modelDir: string;
  readonly calibration: CalibrationMethod;
  readonly calibrationPatches: number;
  readonly floatConvs: readonly string[];
  /** HR folders to measure the exported model on (with bicubic alongside). */
  readonly evalDirs: readonly string[];
}

/**
 * `npm run export`: the latest checkpoint of a run as an ONNX model in model/, measured
 * on the evaluation sets, and recorded in model/manifest.json (int8 as the served model
 * of its scale, fp32 as the reference it was quantized from).
 */
export async function exportRun(options: ExportOptions): Promise<ManifestModel> {
  const { checkpointDir, checkpoint, bytes, entry } = await exportCheckpoint(options.run, options.int8 ? options : undefined);
  const { config } = checkpoint;
  const id = options.id ?? `${config.arch.arch.replace('_', '-')}-x${config.arch.scale}${options.int8 ? '' : '-fp32'}`;
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
  await writeManifestEntry(options.modelDir, manifestEntry, options.int8 ? 'models' : 'references');
  return manifestEntry;
}

/** How a float checkpoint is quantized (a quantization-aware one brings its own ranges and float convs). */
export type Int8Settings = Pick<ExportOptions, 'calibration' | 'calibrationPatches' | 'floatConvs'>;

/** An exported checkpoint, with where it was read from. */
export interface ExportedCheckpoint extends ExportResult {
  readonly checkpointDir: string;
  readonly checkpoint: Checkpoint;
}

/**
 * A run's latest checkpoint (or one checkpoint directory) exported in memory as `npm run export`
 * exports it: fp32 without `int8`, else int8 with those settings.
 *
 * @example
 * const { bytes, entry } = await exportCheckpoint(runDir, { calibration: { kind: 'percentile', percentile: 99.999 }, calibrationPatches: 64, floatConvs: ['tail', 'skip'] });
 */
export async function exportCheckpoint(run: string, int8: Int8Settings | undefined): Promise<ExportedCheckpoint> {
  const checkpointDir = await resolveCheckpointDir(run);
  const checkpoint = await loadCheckpoint(checkpointDir);
  const options = int8 === undefined ? undefined : await int8Options(checkpoint.config, int8);
  return { checkpointDir, checkpoint, ...(await exportModel(checkpoint.config.arch, checkpoint.weights, options)) };
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

