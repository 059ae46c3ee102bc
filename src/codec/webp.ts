import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { defaultOptions as webpEncoderDefaults } from '@jsquash/webp/meta.js';
import type { RgbaImage } from '../core/image';
import type { CodecHeap, CodecModule, EmscriptenFactory } from './emscripten';
import { MalformedImageError } from './errors';

export interface WebpModules {
  /** For `@jsquash/webp/codec/dec/webp_dec.wasm`. */
  readonly decoder: CodecModule;
  /** For `@jsquash/webp/codec/enc/webp_enc_simd.wasm`. */
  readonly encoder: CodecModule;
}

export interface WebpCodec {
  decode(bytes: Uint8Array): Promise<RgbaImage>;
  /** Lossy WebP at `quality` 1..100; alpha is kept (compressed losslessly). */
  encode(image: RgbaImage, quality: number): Promise<Uint8Array<ArrayBuffer>>;
}

interface DecoderModule {
  decode(data: ArrayBufferView): { width: number; height: number; data: Uint8ClampedArray } | null;
}
interface EncoderModule {
  encode(data: ArrayBufferView, width: number, height: number, options: typeof webpEncoderDefaults): Uint8Array<ArrayBuffer> | null;
}
const decoderFactory = webpDecoderFactory as unknown as EmscriptenFactory<DecoderModule>;
const encoderFactory = webpEncoderFactory as unknown as EmscriptenFactory<EncoderModule>;

/**
 * libwebp (Squoosh's build, via @jsquash/webp) behind the codec interface, run in the isolate's
 * codec heap ({@link CodecHeap}). The encoder's heap grows to 40-48 bytes per pixel for translucent
 * images (docs/benchmarks.md, "Codec heaps counted").
 *
 * @example
 * const webp = createWebpCodec(createCodecHeap(), { decoder: decoderModule, encoder: encoderModule });
 * const image = await webp.decode(bytes);
 */
export function createWebpCodec(heap: CodecHeap, modules: WebpModules): WebpCodec {
  const decoder = heap.codec(decoderFactory, modules.decoder);
  const encoder = heap.codec(encoderFactory, modules.encoder);
  return {
    async decode(bytes) {
      const decoded = await decoder.use((module) => module.decode(bytes));
      if (!decoded) throw new MalformedImageError('libwebp could not decode the image');
      const { width, height, data } = decoded;
      return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    },
    async encode(image, quality) {
      const encoded = await encoder.use((module) => module.encode(image.data, image.width, image.height, { ...webpEncoderDefaults, quality }));
      if (!encoded) throw new Error(`libwebp could not encode a ${image.width}x${image.height} image`);
      return encoded;
    },
  };
}
