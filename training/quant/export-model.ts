import { sha256Hex } from '../../src/core/digest';
import type { TensorSpec } from '../../src/core/manifest';
import type { ArchConfig } from '../archs/config';
import { buildArch, countParameters, receptiveFieldRadius } from '../archs/index';
import type { Checkpoint } from '../checkpoint/format';
import { loadCheckpoint, resolveCheckpointDir } from '../checkpoint/load';
import type { WeightsOrigin } from '../checkpoint/origin';
import { parseCalibrationMethod, type CalibrationMethod } from '../config/calibration-method';
import { resolveRepoPath } from '../config/load';
import { splitRanges } from '../model/quantization/plan';
import type { NamedWeights } from '../model/weights';
import type { ManifestModel, ModelPrecision } from '../onnx/manifest';
import { OPSET_VERSION, encodeModel } from '../onnx/onnx-model';
import { collapseReparam } from '../onnx/reparam-collapse';
import { loadStartingPoint } from '../onnx/starting-point';
import { INPUT_NAME, OUTPUT_NAME, archToOnnx, type Int8Weights, type OnnxQuantization } from '../onnx/to-onnx';
import { calibrate, trainingCalibrationSamples, type CalibrationSample } from './calibrate';

/** Post-training quantization: activation ranges calibrated on `samples` of the float model. */
interface CalibratedInt8 {
  readonly samples: readonly CalibrationSample[];
  readonly method: CalibrationMethod;
  /** Conv layers kept in float (e.g. 'tail', 'skip'). */
  readonly floatConvs: readonly string[];
}

/**
 * Quantization-aware training: the weights carry the ranges the run was trained with
 * (training/model/quantization/plan.ts), which the export uses unchanged; `trained` records how they
 * were first calibrated and from which float weights the run started.
 */
interface TrainedInt8 {
  readonly floatConvs: readonly string[];
  readonly trained: { readonly method: CalibrationMethod; readonly samples: number; readonly from: WeightsOrigin };
}

type Int8Options = CalibratedInt8 | TrainedInt8;

/**
 * Static int8, or weight-only int8 ({@link Int8Weights}: conv weights as per-channel int8 levels
 * that onnxruntime dequantizes, activations and arithmetic in float; no calibration, and in
 * WebAssembly, which has no 8-bit dot product, float speed: docs/benchmarks.md measures both).
 */
export type Quantization = Int8Options | Int8Weights;

/** The manifest's name for how a model computes. */
function precisionOf(quantization: Quantization | undefined): ModelPrecision {
  if (quantization === undefined) return 'fp32';
  return 'int8Weights' in quantization ? 'int8-weights' : 'int8';
}

export interface ExportResult {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Manifest entry without file name and measured metrics, which the caller knows. */
  readonly entry: Omit<ManifestModel, 'id' | 'file' | 'metrics' | 'training'>;
}

const tensor = (name: string): TensorSpec => ({ name, layout: 'NCHW', channels: 'RGB', dtype: 'float32', range: [0, 1] });

/**
 * Exports trained weights as a float, static-int8 or weight-only int8 ONNX model. Deterministic: same inputs, same bytes.
 * A network trained with `arch.reparam` is collapsed first (`collapseReparam`): the model is the plain architecture's
 * graph, which the manifest entry describes (its `arch` without `reparam`, its parameters); the ONNX metadata keeps
 * the trained architecture as `trainedArch`.
 */
export async function exportModel(trainedArch: ArchConfig, trainedWeights: NamedWeights, quantization?: Quantization): Promise<ExportResult> {
  const { arch, weights } = collapseReparam(trainedArch, trainedWeights);
  const graph = buildArch(arch);
  const precision = precisionOf(quantization);
  let onnxQuantization: OnnxQuantization | undefined;
  if (quantization !== undefined) {
    if ('int8Weights' in quantization) onnxQuantization = quantization;
    else if ('trained' in quantization) onnxQuantization = { plan: splitRanges(graph, weights, quantization.floatConvs).plan };
    else onnxQuantization = { plan: await calibrate(graph, weights, quantization.samples, quantization.method, new Set(quantization.floatConvs)) };
  }
  const { graph: onnx } = archToOnnx(graph, weights, onnxQuantization);
  const metadata = { arch: JSON.stringify(arch), precision, ...(arch === trainedArch ? {} : { trainedArch: JSON.stringify(trainedArch) }) };
  const bytes = encodeModel(onnx, metadata, `${arch.arch} x${arch.scale}, exported by wdsr-edge`);
  return {
    bytes,
    entry: {
      sha256: await sha256Hex(bytes),
      bytes: bytes.length,
      scale: arch.scale,
      precision,
      input: tensor(INPUT_NAME),
      output: tensor(OUTPUT_NAME),
      receptiveField: receptiveFieldRadius(graph),
      opset: OPSET_VERSION,
      arch,
      parameters: countParameters(graph),
      quantization: quantizationRecord(quantization),
    },
  };
}

function quantizationRecord(quantization: Quantization | undefined): Record<string, unknown> | null {
  if (quantization === undefined) return null;
  if ('int8Weights' in quantization) {
    return {
      weights: 'int8 symmetric per output channel, dequantized by onnxruntime',
      activations: 'float32',
      bias: 'float32',
      floatConvs: quantization.floatConvs,
    };
  }
  return {
    weights: 'int8 symmetric per output channel',
    activations: 'uint8 per tensor',
    bias: 'int32',
    calibration:
      'trained' in quantization
        ? { ...quantization.trained.method, samples: quantization.trained.samples }
        : { ...quantization.method, samples: quantization.samples.length },
    ...('trained' in quantization ? { quantizationAwareTraining: { from: quantization.trained.from } } : {}),
    floatConvs: quantization.floatConvs,
  };
}

/** How a float checkpoint is quantized to static int8 (a quantization-aware one brings its own ranges and float convs). */
export interface Int8Settings {
  readonly calibration: CalibrationMethod;
  readonly calibrationPatches: number;
  /** Convs kept in float (e.g. 'tail', 'skip'). */
  readonly floatConvs: readonly string[];
}

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
    const { origin: from } = await loadStartingPoint(quantization.from, config.arch, 'quantization.from');
    return { floatConvs: quantization.floatConvs, trained: { method, samples: quantization.calibrationPatches, from } };
  }
  const trainDirs = config.data.train.map(resolveRepoPath);
  return {
    samples: await trainingCalibrationSamples(trainDirs, config.arch.scale, config.data.hrPatchSize, options.calibrationPatches),
    method: options.calibration,
    floatConvs: options.floatConvs,
  };
}
