import avifDecoderFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import avifEncoderFactory from '@jsquash/avif/codec/enc/avif_enc.js';
import { defaultOptions as avifEncoderDefaults } from '@jsquash/avif/meta.js';
import type { RgbaImage } from '../core/image';
import type { CodecHeap, CodecModule, EmscriptenFactory } from './emscripten';
import { MalformedImageError } from './errors';

export interface AvifModules {
  /** For `@jsquash/avif/codec/dec/avif_dec.wasm` (libavif with dav1d). */
  readonly decoder: CodecModule;
  /** For `@jsquash/avif/codec/enc/avif_enc.wasm` (libavif with libaom, single-threaded). */
  readonly encoder: CodecModule;
}

export interface AvifCodec {
  /** Decodes the primary image to 8-bit RGBA (10- and 12-bit sources are scaled down). */
  decode(bytes: Uint8Array): Promise<RgbaImage>;
  /** Lossy AVIF at `quality` 1..100 (the service's scale: see {@link avifQuality}); alpha is kept. */
  encode(image: RgbaImage, quality: number): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * libaom's speed preset (0 slowest .. 10 fastest): 8 is about four times faster than libavif's
 * default 6 for the same file size and a smaller heap, while 9 and 10 make files noticeably larger
 * (measured in workerd: docs/avif.md).
 */
export const AVIF_SPEED = 8;

/**
 * The service's `quality` (1..100, the scale JPEG and WebP use) on libavif's quality scale (0..100,
 * which libavif maps linearly onto AV1 quantizers 63..0). The scales are not alike: sharp pairs
 * JPEG's default 80 with AVIF's 50. So 1..80 maps linearly onto 1..50 and 80..100 onto 50..100: the default quality 85 becomes 63
 * (AV1 quantizer 23), 100 stays the finest. Measured on an 800x800 photograph (docs/avif.md): at
 * quality 85, AVIF is 36.3 dB PSNR in 111 KB, JPEG 36.9 dB in 231 KB, WebP 37.5 dB in 148 KB.
 *
 * @example
 * avifQuality(85); // 63
 * avifQuality(80); // 50
 * avifQuality(100); // 100
 */
export function avifQuality(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(q <= 80 ? 1 + ((q - 1) * 49) / 79 : 50 + ((q - 80) * 50) / 20);
}

interface DecoderModule {
  decode(data: ArrayBufferView, bitDepth: 8): { width: number; height: number; data: Uint8ClampedArray } | null;
}
interface EncoderModule {
  encode(data: ArrayBufferView, width: number, height: number, options: typeof avifEncoderDefaults): Uint8Array<ArrayBuffer> | null;
}
const decoderFactory = avifDecoderFactory as unknown as EmscriptenFactory<DecoderModule>;
const encoderFactory = avifEncoderFactory as unknown as EmscriptenFactory<EncoderModule>;

/**
 * libavif (Squoosh's build, via @jsquash/avif: dav1d to decode, libaom to encode) behind the codec
 * interface, run in the isolate's codec heap ({@link CodecHeap}). The encoder's heap grows to tens of
 * megabytes for an image at the output limit (docs/avif.md).
 *
 * @example
 * const avif = createAvifCodec(createCodecHeap(), { decoder: decoderModule, encoder: encoderModule });
 * const bytes = await avif.encode(image, 85);
 */
export function createAvifCodec(heap: CodecHeap, modules: AvifModules): AvifCodec {
  const decoder = heap.codec(decoderFactory, modules.decoder);
  const encoder = heap.codec(encoderFactory, modules.encoder);
  return {
    async decode(bytes) {
      const decoded = await decoder.use((module) => module.decode(bytes, 8));
      if (!decoded) throw new MalformedImageError('libavif could not decode the image');
      const { width, height, data } = decoded;
      return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    },
    async encode(image, quality) {
      const options = { ...avifEncoderDefaults, quality: avifQuality(quality), speed: AVIF_SPEED };
      const encoded = await encoder.use((module) => module.encode(image.data, image.width, image.height, options));
      if (!encoded) throw new Error(`libavif could not encode a ${image.width}x${image.height} image`);
      return encoded;
    },
  };
}
