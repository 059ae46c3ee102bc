/**
 * The codec modules the Worker bundles with a smaller initial memory: libwebp's, whose Squoosh
 * build starts at 16 MiB. 2 MiB holds their static data and stack (under 0.2 MiB) and is the
 * least start measured to change no heap at the output limits (docs/benchmarks.md, "Codec heaps
 * counted"). Paths relative to the repository root; `packageFile` as `require.resolve` takes it.
 */
export const CODEC_WASM: readonly { readonly packageFile: string; readonly committed: string; readonly initialPages: number }[] = [
  { packageFile: '@jsquash/webp/codec/enc/webp_enc_simd.wasm', committed: 'src/platform/wasm/webp_enc_simd.wasm', initialPages: 32 },
  { packageFile: '@jsquash/webp/codec/dec/webp_dec.wasm', committed: 'src/platform/wasm/webp_dec.wasm', initialPages: 32 },
];
