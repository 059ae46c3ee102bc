import type { ArchConfig } from '../archs/config';
import { buildArch, countParameters, receptiveFieldRadius } from '../archs/index';
import { calibrate, type CalibrationMethod, type CalibrationSample } from './calibrate';
import { OPSET_VERSION, encodeModel } from './onnx-model';
import { INPUT_NAME, OUTPUT_NAME, archToOnnx } from './to-onnx';
import type { TensorSpec } from '../../src/core/manifest';
import { sha256Hex, type ManifestModel } from './manifest';
import type { NamedWeights } from './weights';

export interface Int8Options {
  readonly samples: readonly CalibrationSample[];
  readonly method: CalibrationMethod;
  /** Conv layers kept in float (e.g. 'tail', 'skip'). */
  readonly floatConvs: readonly string[];
}

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
  const plan = int8 ? await calibrate(graph, weights, int8.samples, int8.method, floatConvs) : undefined;
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
        ? { weights: 'int8 symmetric per output channel', activations: 'uint8 per tensor', bias: 'int32', calibration: { ...int8.method, samples: int8.samples.length }, floatConvs: int8.floatConvs }
        : null,
    },
  };
}
