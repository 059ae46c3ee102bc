import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createWebpCodec, type WebpCodec } from '../../src/codec/webp';

const require = createRequire(import.meta.url);

/** libwebp in Node: Emscripten compiles the package's own `.wasm` bytes (allowed outside workerd). */
export function nodeWebpCodec(): WebpCodec {
  const bytes = (file: string) => readFileSync(require.resolve(`@jsquash/webp/codec/${file}`));
  return createWebpCodec({ decoder: { wasmBinary: bytes('dec/webp_dec.wasm') }, encoder: { wasmBinary: bytes('enc/webp_enc_simd.wasm') } });
}
