import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
import { TILED_SESSION_OPTIONS } from '../../src/inference/session-runner';

/*
 * onnxruntime-web's WebAssembly memory, the heap an isolate keeps once it has upscaled (WASM
 * memories never shrink): after the session is created, then after a run at each input side given,
 * with the Worker's session options, in Node's V8 (the same WASM build the Worker bundles).
 *
 *   node --import tsx test/bench/ort-heap.ts model/<file>.onnx 148 116 84
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

const [file, ...sides] = process.argv.slice(2);
if (file === undefined || sides.length === 0) throw new Error('usage: node --import tsx test/bench/ort-heap.ts <model.onnx> <input side>...');
const mib = () => ((memory?.buffer.byteLength ?? Number.NaN) / 2 ** 20).toFixed(1);
const session = await ort.InferenceSession.create(readFileSync(file), { ...TILED_SESSION_OPTIONS, executionProviders: ['wasm'] });
console.log(`${file}: onnxruntime's memory after the session is created: ${mib()} MiB`);
for (const side of sides.map(Number)) {
  const input = new ort.Tensor('float32', new Float32Array(3 * side * side).fill(0.5), [1, 3, side, side]);
  const start = performance.now();
  await session.run({ [session.inputNames[0]!]: input });
  console.log(`after a ${side}x${side} run: ${mib()} MiB (${(performance.now() - start).toFixed(0)} ms)`);
}
await session.release();
