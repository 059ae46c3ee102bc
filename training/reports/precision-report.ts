import { join } from 'node:path';
import { resolveCheckpointDir } from '../checkpoint/load';
import type { CalibrationMethod } from '../config/calibration-method';
import { medianInferenceSeconds } from './inference-timing';
import type { ManifestModel, ModelPrecision } from '../onnx/manifest';
import { exportRun } from '../export/run-export';

export interface PrecisionVariant {
  readonly label: string;
  readonly precision: ModelPrecision;
  /** Static int8 only. */
  readonly calibration: CalibrationMethod;
  /**
   * Another checkpoint than the report's: a quantization-aware run's, which exports with the
   * ranges and float convs it trained with (`calibration` does not apply).
   */
  readonly run?: string;
}

/** Post-training int8 variants, one per calibration method. */
export function calibrationVariants(methods: readonly CalibrationMethod[]): PrecisionVariant[] {
  return methods.map((calibration) => ({
    label: calibration.kind === 'minmax' ? 'int8, min-max calibration' : `int8, ${calibration.percentile}th percentile`,
    precision: 'int8',
    calibration,
  }));
}

export const FP32_VARIANT: PrecisionVariant = { label: 'fp32', precision: 'fp32', calibration: { kind: 'minmax' } };

/** int8 weights, float activations: no calibration. */
export const INT8_WEIGHTS_VARIANT: PrecisionVariant = { label: 'int8 weights, float activations', precision: 'int8-weights', calibration: { kind: 'minmax' } };

export interface PrecisionRow {
  readonly variant: PrecisionVariant;
  readonly entry: ManifestModel;
  readonly nodeSeconds: number;
  readonly webSeconds: number;
}

export interface PrecisionReportOptions {
  readonly run: string;
  readonly workDir: string;
  readonly evalDirs: readonly string[];
  readonly floatConvs: readonly string[];
  readonly calibrationPatches: number;
  /** LR side of the timing input. */
  readonly timingSize: number;
  readonly repeats: number;
}

/** Exports every variant of one checkpoint, scores each on the sets, and times each in both runtimes. */
export async function measurePrecisionVariants(options: PrecisionReportOptions, variants: readonly PrecisionVariant[]): Promise<PrecisionRow[]> {
  // Pinned once: a run still training writes newer checkpoints while the variants are measured.
  const checkpoint = await resolveCheckpointDir(options.run);
  const rows: PrecisionRow[] = [];
  for (const [index, variant] of variants.entries()) {
    // A folder each: variants of one checkpoint and precision (the calibrations) share a file name.
    const modelDir = join(options.workDir, `variant-${index}`);
    const entry = await exportRun({
      run: variant.run === undefined ? checkpoint : await resolveCheckpointDir(variant.run),
      precision: variant.precision,
      modelDir,
      calibration: variant.calibration,
      calibrationPatches: options.calibrationPatches,
      floatConvs: options.floatConvs,
      evalDirs: options.evalDirs,
    });
    const path = join(modelDir, entry.file);
    const nodeSeconds = await medianInferenceSeconds(path, 'onnxruntime-node', options.timingSize, options.repeats);
    const webSeconds = await medianInferenceSeconds(path, 'onnxruntime-web', options.timingSize, options.repeats);
    rows.push({ variant, entry, nodeSeconds, webSeconds });
  }
  return rows;
}

interface SetMetrics {
  psnr: number;
  ssim: number;
  bicubicPsnr: number;
  bicubicSsim: number;
}

/** A Markdown report: the table, how it was made, and the command that regenerates it. */
export function formatPrecisionReport(rows: readonly PrecisionRow[], options: PrecisionReportOptions, command: string): string {
  const setsOf = (row: PrecisionRow) => (row.entry.metrics as { sets: Record<string, SetMetrics> }).sets;
  const setNames = Object.keys(setsOf(rows[0]!));
  const outputMegapixels = (options.timingSize * rows[0]!.entry.scale) ** 2 / 1e6;
  const header = ['model', 'file size', ...setNames.map((s) => `${s} PSNR / SSIM`), 'onnxruntime-node s/MP', 'onnxruntime-web (WASM) s/MP'];
  const bicubic = [
    'bicubic',
    '-',
    ...setNames.map((s) => `${setsOf(rows[0]!)[s]!.bicubicPsnr.toFixed(2)} / ${setsOf(rows[0]!)[s]!.bicubicSsim.toFixed(4)}`),
    '-',
    '-',
  ];
  const body = rows.map((row) => [
    row.variant.label,
    `${(row.entry.bytes / 1024).toFixed(0)} KiB`,
    ...setNames.map((s) => `${setsOf(row)[s]!.psnr.toFixed(2)} / ${setsOf(row)[s]!.ssim.toFixed(4)}`),
    (row.nodeSeconds / outputMegapixels).toFixed(3),
    (row.webSeconds / outputMegapixels).toFixed(3),
  ]);
  const table = [header, header.map(() => '---'), bicubic, ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const training = rows[0]!.entry.training as { run: string; iterations: number };
  const trainedRows = rows.filter((row) => row.variant.run !== undefined);
  return [
    '# fp32 vs int8',
    '',
    `Model: \`${training.run}\` at iteration ${training.iterations}, x${rows[0]!.entry.scale}, ${rows[0]!.entry.parameters.toLocaleString('en-US')} parameters.`,
    `int8 is static QDQ (weights int8 symmetric per output channel, activations uint8 per tensor, int32 biases) with ${options.calibrationPatches} LR training patches for calibration; convs kept in float: ${options.floatConvs.join(', ') || 'none'}. int8 weights: the same convs' weights int8 symmetric per output channel, dequantized by onnxruntime; activations, biases and arithmetic float32.`,
    `Quality: Y-PSNR (dB) / Y-SSIM, MATLAB bicubic LR of the mod-cropped HR, shave = scale, outputs rounded to 8 bits (training/metrics/evaluate.ts).`,
    ...trainedRows.map((row) => {
      const trained = row.entry.training as { run: string; iterations: number; checkpoint: string };
      const { calibration } = row.entry.quantization as { calibration: { samples: number } };
      return `${row.variant.label}: run \`${trained.run}\`, checkpoint ${trained.checkpoint} (${trained.iterations} iterations of quantization-aware fine-tuning), its ranges calibrated on ${calibration.samples} patches when it started and trained with; convs kept in float: ${(row.entry.quantization as { floatConvs: string[] }).floatConvs.join(', ')}.`;
    }),
    `Speed: median of ${options.repeats} single-threaded forward passes on a ${options.timingSize}x${options.timingSize} LR input, in seconds per output megapixel; onnxruntime-web is the Worker's WASM build hosted by Node.`,
    '',
    table,
    '',
    `Regenerate: \`${command}\``,
    '',
  ].join('\n');
}
