// @jsquash/webp's modules with a 2 MiB initial memory instead of 16 (npm run build:codec-wasm):
// each heap starts at what a thumbnail needs and grows from there (docs/benchmarks.md, "Codec heaps counted").
import decoder from './wasm/webp_dec.wasm';
import encoder from './wasm/webp_enc_simd.wasm';
import type { EmscriptenWasmSource } from '../codec/emscripten';
import type { WebpWasmSources } from '../codec/webp';
import { trackWasmMemory } from '../inference/wasm-memory';

/** libwebp for workerd: modules compiled at bundle time, instantiated through Emscripten's hook. */
export const WEBP_WASM_SOURCES: WebpWasmSources = { decoder: precompiled('webp-decoder', decoder), encoder: precompiled('webp-encoder', encoder) };

/**
 * Emscripten's `instantiateWasm` hook over a module wrangler compiled for us (libwebp, libavif),
 * its memory tracked under `name`.
 */
export function precompiled(name: string, module: WebAssembly.Module): EmscriptenWasmSource {
  return {
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
      trackWasmMemory(name, imports as WebAssembly.Imports, instance);
      receiveInstance(instance);
      return instance.exports;
    },
  };
}
