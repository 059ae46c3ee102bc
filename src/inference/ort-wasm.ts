import * as ort from 'onnxruntime-web/wasm';
import ortWasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { instanceMemory, trackWasmMemory } from './wasm-memory';

/*
 * Why this file exists: workerd refuses to compile WebAssembly from bytes (`WebAssembly.instantiate(bytes)`
 * throws "Wasm code generation disallowed by embedder"); it only runs modules bundled at deploy time,
 * which wrangler hands us as a `WebAssembly.Module` for a `.wasm` import. onnxruntime-web 1.30 has
 * no option that takes a compiled module: its wasm-factory builds the Emscripten config itself,
 * passing only `numThreads`, `wasmBinary` and `locateFile`, so the Emscripten `instantiateWasm`
 * hook is out of reach. What ORT does honour is `env.wasm.wasmBinary`: given one, the bundled
 * Emscripten factory skips fetching and calls `WebAssembly.instantiate(new Uint8Array(wasmBinary),
 * imports)`. So we give it a placeholder buffer and, while a session is being created, answer
 * exactly that call (recognised by the placeholder's identity) with an instance of the bundled
 * module. Every other `instantiate` call passes through untouched, and the original function is
 * restored as soon as no session creation is in flight.
 */

/** Stands for the WASM bytes ORT would otherwise need; never read. */
const PLACEHOLDER = new ArrayBuffer(8);
const originalInstantiate = WebAssembly.instantiate;
let creationsInFlight = 0;

// Single-threaded and in-isolate: workerd has no Web Workers to proxy to or run threads on.
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmBinary = PLACEHOLDER;

/**
 * Creates an onnxruntime-web session on the WASM execution provider in workerd. The first call
 * also initialises ORT's WebAssembly runtime from the bundled module; if that fails, ORT remembers
 * and every later call fails fast with the same cause.
 *
 * @example
 * const session = await createWasmSession(new Uint8Array(MODEL_FILES[entry.file]), {});
 */
export async function createWasmSession(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  if (creationsInFlight++ === 0) WebAssembly.instantiate = instantiateBundledOrt as typeof WebAssembly.instantiate;
  try {
    return await ort.InferenceSession.create(model, { ...options, executionProviders: ['wasm'] });
  } finally {
    if (--creationsInFlight === 0) WebAssembly.instantiate = originalInstantiate;
  }
}

function instantiateBundledOrt(source: unknown, imports?: WebAssembly.Imports): Promise<unknown> {
  if (ArrayBuffer.isView(source) && source.buffer === PLACEHOLDER) {
    return originalInstantiate(ortWasmModule, imports).then((instance) => {
      const memory = instanceMemory(imports, instance);
      if (memory !== undefined) trackWasmMemory('onnxruntime', memory);
      return { instance, module: ortWasmModule };
    });
  }
  return (originalInstantiate as (source: unknown, imports?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
}

export { ort };
