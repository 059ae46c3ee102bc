import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
import { TILED_SESSION_OPTIONS } from '../../src/inference/session-runner';

/*
 * onnxruntime-web's WebAssembly memory, the heap an isolate keeps once it has upscaled (WASM
 * memories never shrink): after the session is created, then after a run at each input side given,
 * with the Worker's session options, in Node's V8 (the same WASM build the Worker bundles).
 *
 *   node --import tsx test/bench/ort-heap.ts model/<file>.onnx 148 116 84
 *   node --import tsx test/bench/ort-heap.ts model/<x2>.onnx 148 model/<x4>.onnx 108 model/<x2>.onnx 148
 *   node --import tsx test/bench/ort-heap.ts model/<x2>.onnx 148 release model/<x4>.onnx 108
 *
 * `release` closes the current session (the next step naming its model creates it again).
 *
 * Prints one line per step: MiB and, for runs, milliseconds.
 */

/** The slice of the WebAssembly API used here (this tsconfig has Node's types only). */
interface WasmApi {
  instantiate(source: unknown, imports?: Record<string, Record<string, unknown>>): Promise<{ instance: { exports: Record<string, unknown> } }>;
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let memory: { readonly buffer: ArrayBuffer } | undefined;
const instantiate = wasm.instantiate.bind(wasm);
// ORT instantiates its module itself (from bytes, so the result has an instance): keep the memory it imports or exports.
wasm.instantiate = async (source, imports) => {
  const result = await instantiate(source, imports);
  const candidates = [...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)), ...Object.values(result.instance.exports)];
  memory ??= candidates.find((value): value is InstanceType<WasmApi['Memory']> => value instanceof wasm.Memory);
  return result;
};
ort.env.wasm.numThreads = 1;

// Each `.onnx` argument makes that model current (its session created once, all kept open, as in an
// isolate that serves several scales); each number runs the current model on a square input of that side.
const steps = process.argv.slice(2);
if (steps[0]?.endsWith('.onnx') !== true || steps.length < 2)
  throw new Error('usage: node --import tsx test/bench/ort-heap.ts <model.onnx> <input side>... [<model.onnx> <input side>...]...');
const mib = () => ((memory?.buffer.byteLength ?? Number.NaN) / 2 ** 20).toFixed(1);
const sessions = new Map<string, ort.InferenceSession>();
let current: { readonly file: string; readonly session: ort.InferenceSession } | undefined;
for (const step of steps) {
  if (step === 'release') {
    if (current === undefined) throw new Error('release: no session is current');
    await current.session.release();
    sessions.delete(current.file);
    console.log(`${current.file}: released: ${mib()} MiB`);
    current = undefined;
    continue;
  }
  if (step.endsWith('.onnx')) {
    let session = sessions.get(step);
    if (session === undefined) {
      const start = performance.now();
      session = await ort.InferenceSession.create(readFileSync(step), { ...TILED_SESSION_OPTIONS, executionProviders: ['wasm'] });
      sessions.set(step, session);
      console.log(`${step}: onnxruntime's memory after the session is created: ${mib()} MiB (${(performance.now() - start).toFixed(0)} ms)`);
    }
    current = { file: step, session };
    continue;
  }
  const side = Number(step);
  if (current === undefined || !Number.isInteger(side) || side < 1) throw new Error(`expected a model file or an input side, got ${step}`);
  const input = new ort.Tensor('float32', new Float32Array(3 * side * side).fill(0.5), [1, 3, side, side]);
  const start = performance.now();
  await current.session.run({ [current.session.inputNames[0]!]: input });
  console.log(`${current.file}: after a ${side}x${side} run: ${mib()} MiB (${(performance.now() - start).toFixed(0)} ms)`);
}
for (const session of sessions.values()) await session.release();
