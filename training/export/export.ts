import type { ArchConfig } from '../archs/config';
import type { WeightsOrigin } from '../checkpoint/starting-point';
import { buildArch, countParameters, receptiveFieldRadius } from '../archs/index';
import { splitRanges } from '../quant/plan';
import { calibrate, type CalibrationSample } from './calibrate';
import type { CalibrationMethod } from './calibration-method';
import { OPSET_VERSION, encodeModel } from './onnx-model';
import { INPUT_NAME, OUTPUT_NAME, archToOnnx } from './to-onnx';
import type { TensorSpec } from '../../src/core/manifest';
import { sha256Hex, type ManifestModel } from './manifest';
import type { NamedWeights } from './weights';

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

export interface ExportResult {
  readonly bytes: Uint8Array;
  /** Manifest entry without file name and measured metrics, which the caller knows. */
  readonly entry: Omit<ManifestModel, 'id' | 'file' | 'metrics' | 'training'>;
}

const tensor = (name: string): TensorSpec => ({ name, layout: 'NCHW', channels: 'RGB', dtype: 'float32', range: [0, 1] });

/** Exports trained weights as a float or static-int8 ONNX model. Deterministic: same inputs, same bytes. */
export async function exportModel(arch: ArchConfig, weights: NamedWeights, int8?: Int8Options): Promise<ExportResult> {
  const graph = buildArch(arch);
  const floatConvs = new Set(int8?.floatConvs ?? []);
  let plan;
  if (int8 !== undefined) {
    plan = 'trained' in int8 ? splitRanges(graph, weights, int8.floatConvs).plan : await calibrate(graph, weights, int8.samples, int8.method, floatConvs);
  }
  const { graph: onnx } = archToOnnx(graph, weights, plan);
  const metadata = { arch: JSON.stringify(arch), precision: int8 ? 'int8' : 'fp32' };
  const bytes = encodeModel(onnx, metadata, `${arch.arch} x${arch.scale}, exported by wdsr-edge`);
  return {
    bytes,
    entry: {
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      scale: arch.scale,
      precision: int8 ? 'int8' : 'fp32',
      input: tensor(INPUT_NAME),
      output: tensor(OUTPUT_NAME),
      receptiveField: receptiveFieldRadius(graph),
      opset: OPSET_VERSION,
      arch,
      parameters: countParameters(graph),
      quantization: int8
        ? {
            weights: 'int8 symmetric per output channel',
            activations: 'uint8 per tensor',
            bias: 'int32',
            calibration: 'trained' in int8 ? { ...int8.trained.method, samples: int8.trained.samples } : { ...int8.method, samples: int8.samples.length },
            ...('trained' in int8 ? { quantizationAwareTraining: { from: int8.trained.from } } : {}),
            floatConvs: int8.floatConvs,
          }
        : null,
    },
  };
}
