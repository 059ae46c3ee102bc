import type { ArchConfig } from '../../training/archs/config';

/**
 * Networks exported to ONNX in Node for the workerd parity test (the exporter's protobuf
 * library generates code at run time, which workerd forbids), handed over as plain JSON: the
 * weights as numbers (float32 survives the round trip exactly) and the model file as bytes.
 */
export interface ParityModel {
  readonly label: string;
  readonly config: ArchConfig;
  readonly weights: readonly { readonly name: string; readonly shape: number[]; readonly values: number[] }[];
  /** Set for an int8 export of a quantization-aware model: its float convs (its ranges are in `weights`). */
  readonly floatConvs?: string[];
  readonly onnx: number[];
}

declare module 'vitest' {
  interface ProvidedContext {
    parityModels: ParityModel[];
  }
}
