import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createAvifCodec, type AvifCodec } from '../../src/codec/avif';

const require = createRequire(import.meta.url);

/** libavif in Node: Emscripten compiles the package's own `.wasm` bytes (allowed outside workerd). */
export function nodeAvifCodec(): AvifCodec {
  const bytes = (file: string) => readFileSync(require.resolve(`@jsquash/avif/codec/${file}`));
  return createAvifCodec({ decoder: { wasmBinary: bytes('dec/avif_dec.wasm') }, encoder: { wasmBinary: bytes('enc/avif_enc.wasm') } });
}
