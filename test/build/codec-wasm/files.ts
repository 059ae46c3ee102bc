/**
 * The codec modules the Worker bundles, each rewritten to run in the one shared codec heap
 * (src/codec/emscripten.ts, `CODEC_HEAP`) instead of a memory of its own. Paths relative to the
 * repository root; `packageFile` as `require.resolve` takes it.
 */
export const CODEC_WASM: readonly { readonly packageFile: string; readonly committed: string }[] = [
  { packageFile: '@jsquash/webp/codec/enc/webp_enc_simd.wasm', committed: 'src/platform/wasm/webp_enc_simd.wasm' },
  { packageFile: '@jsquash/webp/codec/dec/webp_dec.wasm', committed: 'src/platform/wasm/webp_dec.wasm' },
  { packageFile: '@jsquash/avif/codec/enc/avif_enc.wasm', committed: 'src/platform/wasm/avif_enc.wasm' },
  { packageFile: '@jsquash/avif/codec/dec/avif_dec.wasm', committed: 'src/platform/wasm/avif_dec.wasm' },
];
