import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web/wasm';
import { TILED_SESSION_OPTIONS } from '../../src/inference/session-runner';
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

/** Session options compared on the Worker's WASM build (hosted by Node), against the shipped ones. */
export const SESSION_VARIANTS: readonly { readonly name: string; readonly precision: 'int8' | 'fp32'; readonly options: ortWeb.InferenceSession.SessionOptions }[] = [
  { name: 'shipped: graph level all, no memory pattern', precision: 'int8', options: TILED_SESSION_OPTIONS },
  { name: 'graph level extended (no NHWC layout transform)', precision: 'int8', options: { ...TILED_SESSION_OPTIONS, graphOptimizationLevel: 'extended' } },
  { name: 'CPU memory arena on', precision: 'int8', options: { ...TILED_SESSION_OPTIONS, enableCpuMemArena: true } },
  { name: 'QDQ fusion off (float Conv between Q/DQ)', precision: 'int8', options: { ...TILED_SESSION_OPTIONS, extra: { session: { disable_quant_qdq: '1' } } } },
  { name: 'fp32 reference model, shipped options', precision: 'fp32', options: TILED_SESSION_OPTIONS },
];

/**
 * Each of {@link SESSION_VARIANTS} on a `window` x `window` input (a tile's read window),
 * interleaved round by round so that load changes hit every variant alike; per variant the
 * forward-pass times in ms (after one warm-up round).
 */
export async function measureSessionOptions(window: number, rounds: number): Promise<number[][]> {
  ortWeb.env.wasm.numThreads = 1;
  const sessions = [];
  for (const variant of SESSION_VARIANTS) {
    sessions.push(await ortWeb.InferenceSession.create(new Uint8Array(await readFile(join(MODEL_DIR, FILES[variant.precision]))), variant.options));
  }
  try {
    const data = Float32Array.from({ length: 3 * window * window }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
    const times = sessions.map((): number[] => []);
    for (let round = 0; round <= rounds; round++) {
      for (const [i, session] of sessions.entries()) {
        const start = performance.now();
        await session.run({ [session.inputNames[0]!]: new ortWeb.Tensor('float32', data, [1, 3, window, window]) });
        if (round > 0) times[i]!.push(performance.now() - start);
      }
    }
    return times;
  } finally {
    for (const session of sessions) await session.release();
  }
}
