import type { ArchConfig } from '../archs/config';
import type { WeightsOrigin } from '../checkpoint/starting-point';
import { buildArch, countParameters, receptiveFieldRadius } from '../archs/index';
import { splitRanges } from '../quant/plan';
import { calibrate, type CalibrationSample } from './calibrate';
import type { CalibrationMethod } from './calibration-method';
import { OPSET_VERSION, encodeModel } from './onnx-model';
import { INPUT_NAME, OUTPUT_NAME, archToOnnx, type Int8Weights, type OnnxQuantization } from './to-onnx';
import type { TensorSpec } from '../../src/core/manifest';
import { sha256Hex, type ManifestModel, type ModelPrecision } from './manifest';
import type { NamedWeights } from './weights';
import { collapseReparam } from '../reparam/collapse';

/** Post-training quantization: activation ranges calibrated on `samples` of the float model. */
export interface CalibratedInt8 {
  readonly samples: readonly CalibrationSample[];
  readonly method: CalibrationMethod;
  /** Conv layers kept in float (e.g. 'tail', 'skip'). */
  readonly floatConvs: readonly string[];
}

/**
 * Quantization-aware training: the weights carry the ranges the run was trained with
 * (training/quant/plan.ts), which the export uses unchanged; `trained` records how they
 * were first calibrated and from which float weights the run started.
 */
export interface TrainedInt8 {
  readonly floatConvs: readonly string[];
  readonly trained: { readonly method: CalibrationMethod; readonly samples: number; readonly from: WeightsOrigin };
}

export type Int8Options = CalibratedInt8 | TrainedInt8;

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
  readonly bytes: Uint8Array;
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
      sha256: sha256Hex(bytes),
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
    return { weights: 'int8 symmetric per output channel, dequantized by onnxruntime', activations: 'float32', bias: 'float32', floatConvs: quantization.floatConvs };
  }
  return {
    weights: 'int8 symmetric per output channel',
    activations: 'uint8 per tensor',
    bias: 'int32',
    calibration: 'trained' in quantization ? { ...quantization.trained.method, samples: quantization.trained.samples } : { ...quantization.method, samples: quantization.samples.length },
    ...('trained' in quantization ? { quantizationAwareTraining: { from: quantization.trained.from } } : {}),
    floatConvs: quantization.floatConvs,
  };
}
