import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { repoRelativePath } from '../config/load';
import { loadOnnxUpscaler } from '../eval/onnx-upscaler';
import { manifestSetMetrics } from '../eval/report';
import { evaluateSets } from '../eval/sets';
import { readManifest, writeManifestEntry, type ManifestModel, type ModelPrecision } from '../onnx/manifest';
import { modelFileStem } from '../onnx/model-file-name';
import { exportCheckpoint, type Int8Settings, type QuantizeSettings } from '../quant/export-model';

/** What `npm run export` exports; the `Int8Settings` apply to static int8 (`floatConvs` to int8 weights too). */
export interface ExportOptions extends Int8Settings {
  /** A run directory (its latest checkpoint is exported) or one checkpoint directory. */
  readonly run: string;
  /** fp32 exports a reference; int8 (static, QDQ) and int8-weights export the served model of the scale. */
  readonly precision: ModelPrecision;
  /** Records a quantized export under `references` (kept for comparison and benchmarks), not as the served model. */
  readonly reference?: boolean;
  readonly modelDir: string;
  /** HR folders to measure the exported model on (with bicubic alongside). */
  readonly evalDirs: readonly string[];
}

/**
 * `npm run export`: the latest checkpoint of a run as an ONNX model in model/, measured
 * on the evaluation sets, and recorded in model/manifest.json (a quantized model as the served
 * model of its scale, fp32 as the reference it was quantized from). The file is named by the
 * run and precision (`modelFileStem`, e.g. `wdsr-b-x2-f16b8-reparam-restart38k-fp32.onnx`), which
 * is also its manifest id: exporting the same run and precision again replaces that file and entry.
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
  const id = modelFileStem(config, options.precision);
  const file = `${id}.onnx`;
  // A reference of the same run and precision as the served model would be the same file.
  const servedAs = (await readManifest(options.modelDir)).models.find((model) => model.id === id);
  if (!served && servedAs !== undefined) throw new Error(`${file} is the served x${servedAs.scale} model: export it without --reference to replace it`);
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
