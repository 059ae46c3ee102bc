import decoder from '@jsquash/avif/codec/dec/avif_dec.wasm';
import encoder from '@jsquash/avif/codec/enc/avif_enc.wasm';
import type { AvifWasmSources } from '../codec/avif';
import { precompiled } from './webp-wasm';

/** libavif for workerd: modules compiled at bundle time, instantiated through Emscripten's hook. */
export const AVIF_WASM_SOURCES: AvifWasmSources = { decoder: precompiled('avif-decoder', decoder), encoder: precompiled('avif-encoder', encoder) };
