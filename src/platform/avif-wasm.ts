import decoder from '@jsquash/avif/codec/dec/avif_dec.wasm';
import encoder from '@jsquash/avif/codec/enc/avif_enc.wasm';
import type { AvifWasmSources } from '../codec/avif';
import type { EmscriptenWasmSource } from '../codec/webp';
import { trackWasmMemory } from './wasm-memory';

/** libavif for workerd: modules compiled at bundle time, instantiated through Emscripten's hook. */
export const AVIF_WASM_SOURCES: AvifWasmSources = { decoder: precompiled('avif-decoder', decoder), encoder: precompiled('avif-encoder', encoder) };

/** Emscripten's `instantiateWasm` hook over a module wrangler compiled for us (as in webp-wasm.ts). */
function precompiled(name: string, module: WebAssembly.Module): EmscriptenWasmSource {
  return {
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
      trackWasmMemory(name, imports as WebAssembly.Imports, instance);
      receiveInstance(instance);
      return instance.exports;
    },
  };
}
