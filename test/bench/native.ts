import { join } from 'node:path';
import { medianInferenceSeconds, type Runtime } from '../../training/export/inference-timing';

export interface NativeRow {
  readonly size: number;
  readonly precision: 'int8' | 'fp32';
  readonly runtime: Runtime;
  readonly ms: number;
}

const MODEL_DIR = join(import.meta.dirname, '../../model');
const FILES = { int8: 'wdsr-b-x2.onnx', fp32: 'wdsr-b-x2-fp32.onnx' } as const;

/**
 * Whole-image forward passes outside workerd, single-threaded: native onnxruntime-node (the
 * reference) and the Worker's onnxruntime-web WASM build hosted by Node, median of `repeats`
 * after a warm-up (training/export/inference-timing.ts, the same function as model/README.md).
 */
export async function measureNative(sizes: readonly number[], repeats: number): Promise<NativeRow[]> {
  const rows: NativeRow[] = [];
  for (const size of sizes) {
    for (const precision of ['int8', 'fp32'] as const) {
      for (const runtime of ['onnxruntime-node', 'onnxruntime-web'] as const) {
        const seconds = await medianInferenceSeconds(join(MODEL_DIR, FILES[precision]), runtime, size, repeats);
        rows.push({ size, precision, runtime, ms: seconds * 1000 });
      }
    }
  }
  return rows;
}
