import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web/wasm';
import { TILED_SESSION_OPTIONS } from '../../src/inference/session-runner';
import { medianInferenceSeconds, type Runtime } from '../../training/reports/inference-timing';
import manifestJson from '../../model/manifest.json';

/**
 * The x2 models compared: the served one, the fp32 export of its run, and the static int8
 * reference (its QLinearConv kernels are what WebAssembly makes slow; fine-tuned from an earlier
 * run of the same size, which is all a timing needs).
 */
export const BENCH_MODELS = ['served', 'int8', 'fp32'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

const FILES: Readonly<Record<BenchModel, string>> = {
  served: servedModel().file,
  int8: 'wdsr-b-x2-f16b8-qat-int8.onnx',
  fp32: fp32OfServedRun(),
};

/** How a table names a model: the served one by its manifest precision. */
export function benchModelLabel(model: BenchModel): string {
  return model === 'served' ? `${servedModel().precision} (served)` : `${model} reference`;
}

/** The served x2 model's manifest entry. */
export function servedModel(): { readonly file: string; readonly precision: string; readonly scale: number; readonly training: { readonly run: string } } {
  const served = manifestJson.models.find((entry) => entry.scale === 2);
  if (served === undefined) throw new Error('model/manifest.json serves no x2 model');
  return served;
}

/** The fp32 export of the run the served x2 model was quantized from, as the manifest lists it. */
function fp32OfServedRun(): string {
  const { run } = servedModel().training;
  const reference = manifestJson.references.find((entry) => entry.training.run === run && entry.precision === 'fp32');
  if (reference === undefined) throw new Error(`model/manifest.json lists no fp32 reference of run ${run}`);
  return reference.file;
}

export interface NativeRow {
  readonly size: number;
  readonly model: BenchModel;
  readonly runtime: Runtime;
  readonly ms: number;
}

const MODEL_DIR = join(import.meta.dirname, '../../model');

/**
 * Whole-image forward passes outside workerd, single-threaded: native onnxruntime-node (the
 * reference) and the Worker's onnxruntime-web WASM build hosted by Node, median of `repeats`
 * after a warm-up (training/export/inference-timing.ts, the same function as model/README.md).
 */
export async function measureNative(sizes: readonly number[], repeats: number): Promise<NativeRow[]> {
  const rows: NativeRow[] = [];
  for (const size of sizes) {
    for (const model of BENCH_MODELS) {
      for (const runtime of ['onnxruntime-node', 'onnxruntime-web'] as const) {
        const seconds = await medianInferenceSeconds(join(MODEL_DIR, FILES[model]), runtime, size, repeats);
        rows.push({ size, model, runtime, ms: seconds * 1000 });
      }
    }
  }
  return rows;
}

/** Session options compared on the Worker's WASM build (hosted by Node), against the shipped ones. */
export const SESSION_VARIANTS: readonly { readonly name: string; readonly model: BenchModel; readonly options: ortWeb.InferenceSession.SessionOptions }[] = [
  { name: 'shipped: graph level all, no memory pattern', model: 'served', options: TILED_SESSION_OPTIONS },
  { name: 'graph level extended (no NHWC layout transform)', model: 'served', options: { ...TILED_SESSION_OPTIONS, graphOptimizationLevel: 'extended' } },
  { name: 'CPU memory arena on', model: 'served', options: { ...TILED_SESSION_OPTIONS, enableCpuMemArena: true } },
  { name: 'static int8 reference model, shipped options', model: 'int8', options: TILED_SESSION_OPTIONS },
  { name: 'fp32 reference model, shipped options', model: 'fp32', options: TILED_SESSION_OPTIONS },
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
    sessions.push(await ortWeb.InferenceSession.create(new Uint8Array(await readFile(join(MODEL_DIR, FILES[variant.model]))), variant.options));
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
