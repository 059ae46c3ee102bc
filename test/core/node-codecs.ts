import { readFileSync } from 'node:fs';
import { type AvifCodec, createAvifCodec } from '../../src/codec/avif';
import { type CodecHeap, type CodecModule, createCodecHeap } from '../../src/codec/emscripten';
import { createWebpCodec, type WebpCodec } from '../../src/codec/webp';
import { wasmApi } from './wasm-api';

/** A codec module the Worker bundles (src/platform/wasm, importing the codec heap), compiled in Node. */
function bundledModule(file: string): CodecModule {
  return new wasmApi.Module(readFileSync(new URL(`../../src/platform/wasm/${file}`, import.meta.url)));
}

/** libwebp in Node: the modules the Worker bundles, in `heap` (a codec heap of its own by default). */
export function nodeWebpCodec(heap: CodecHeap = createCodecHeap()): WebpCodec {
  return createWebpCodec(heap, { decoder: bundledModule('webp_dec.wasm'), encoder: bundledModule('webp_enc_simd.wasm') });
}

/** libavif in Node: the modules the Worker bundles, in `heap` (a codec heap of its own by default). */
export function nodeAvifCodec(heap: CodecHeap = createCodecHeap()): AvifCodec {
  return createAvifCodec(heap, { decoder: bundledModule('avif_dec.wasm'), encoder: bundledModule('avif_enc.wasm') });
}
