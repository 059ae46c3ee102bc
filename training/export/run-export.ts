import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { repoRelativePath } from '../config/load';
import { loadOnnxUpscaler } from '../eval/onnx-upscaler';
import { manifestSetMetrics } from '../eval/report';
import { evaluateSets } from '../eval/sets';
import { writeManifestEntry, type ManifestModel, type ModelPrecision } from '../onnx/manifest';
import { exportCheckpoint, type Int8Settings, type QuantizeSettings } from '../quant/export-model';

/** What `npm run export` exports; the `Int8Settings` apply to static int8 (`floatConvs` to int8 weights too). */
export interface ExportOptions extends Int8Settings {
  /** A run directory (its latest checkpoint is exported) or one checkpoint directory. */
  readonly run: string;
  /** fp32 exports a reference; int8 (static, QDQ) and int8-weights export the served model of the scale. */
  readonly precision: ModelPrecision;
  /** Records a quantized export under `references` (kept for comparison and benchmarks), not as the served model. */
  readonly reference?: boolean;
  /** Model id and file stem; defaults to e.g. `wdsr-b-x2` (served), `wdsr-b-x2-fp32` or `wdsr-b-x2-int8` (references). */
  readonly id?: string;
  readonly modelDir: string;
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
    options.precision === 'fp32'
      ? undefined
      : options.precision === 'int8-weights'
        ? { precision: 'int8-weights', floatConvs: options.floatConvs }
        : { ...options, precision: 'int8' };
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
      data: config.data.train.map(repoRelativePath),
      patch: config.data.hrPatchSize,
      batchSize: config.train.batchSize,
    },
    metrics: {
      protocol: 'Y-PSNR (dB) / Y-SSIM, MATLAB bicubic LR of the mod-cropped HR, shave = scale, output rounded to 8 bits',
      command: `npm run eval -- --scale ${config.arch.scale} ${options.evalDirs.map((d) => `--data ${repoRelativePath(d)}`).join(' ')} --model ${repoRelativePath(path)}`,
      sets: manifestSetMetrics(report),
    },
  };
  await writeManifestEntry(options.modelDir, manifestEntry, served ? 'models' : 'references');
  return manifestEntry;
}
