import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadCheckpoint, resolveCheckpointDir } from '../checkpoint/load';
import { PairedPatchSampler } from '../data/sampler';
import { Rng } from '../data/rng';
import { loadOnnxUpscaler } from '../eval/onnx-upscaler';
import { evaluateSets } from '../eval/sets';
import type { CalibrationMethod, CalibrationSample } from './calibrate';
import { exportModel } from './export';
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

/** Calibration inputs: LR training patches, the distribution the network was fitted to. */
async function calibrationSamples(trainDirs: readonly string[], scale: number, hrPatchSize: number, count: number): Promise<CalibrationSample[]> {
  const sampler = await PairedPatchSampler.fromDirectories([...trainDirs], { scale, hrPatchSize });
  const { lr, lrPatchSize: size } = sampler.nextBatch(count, new Rng(0x5eed));
  const plane = size * size;
  return Array.from({ length: count }, (_, n) => {
    const data = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) data[c * plane + p] = lr[(n * plane + p) * 3 + c]!;
    return { data, dims: [1, 3, size, size] as const };
  });
}

/**
 * `npm run export`: the latest checkpoint of a run as an ONNX model in model/, measured
 * on the evaluation sets, and recorded in model/manifest.json (int8 as the served model
 * of its scale, fp32 as the reference it was quantized from).
 */
export async function exportRun(options: ExportOptions): Promise<ManifestModel> {
  const checkpointDir = await resolveCheckpointDir(options.run);
  const checkpoint = await loadCheckpoint(checkpointDir);
  const { config } = checkpoint;
  const int8 = options.int8
    ? {
        samples: await calibrationSamples(config.data.train, config.arch.scale, config.data.hrPatchSize, options.calibrationPatches),
        method: options.calibration,
        floatConvs: options.floatConvs,
      }
    : undefined;
  const { bytes, entry } = await exportModel(config.arch, checkpoint.weights, int8);
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
      sets: Object.fromEntries(
        report.sets.map((set) => [set.set, { psnr: round(set.model!.psnr, 3), ssim: round(set.model!.ssim, 4), bicubicPsnr: round(set.bicubic.psnr, 3), bicubicSsim: round(set.bicubic.ssim, 4) }]),
      ),
    },
  };
  await writeManifestEntry(options.modelDir, manifestEntry, options.int8 ? 'models' : 'references');
  return manifestEntry;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
