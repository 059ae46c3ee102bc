import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import webpEncoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { defaultOptions as webpEncoderDefaults } from '@jsquash/webp/meta.js';
import type { RgbaImage } from '../core/image';
import { MalformedImageError } from './errors';

/**
 * How Emscripten gets one codec's WebAssembly: its bytes (Node, browsers), or an
 * `instantiateWasm` hook that instantiates a module compiled ahead of time (workerd, which refuses
 * to compile bytes at run time). Passed in because each runtime gets its WebAssembly its own way.
 */
export type EmscriptenWasmSource =
  | { readonly wasmBinary: Uint8Array }
  | { readonly instantiateWasm: (imports: object, receiveInstance: (instance: object) => void) => object };

export interface WebpWasmSources {
  /** For `@jsquash/webp/codec/dec/webp_dec.wasm`. */
  readonly decoder: EmscriptenWasmSource;
  /** For `@jsquash/webp/codec/enc/webp_enc_simd.wasm`. */
  readonly encoder: EmscriptenWasmSource;
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
type EmscriptenFactory<T> = (options: object) => Promise<T>;
const decoderFactory = webpDecoderFactory as unknown as EmscriptenFactory<DecoderModule>;
const encoderFactory = webpEncoderFactory as unknown as EmscriptenFactory<EncoderModule>;

/**
 * libwebp (Squoosh's build, via @jsquash/webp) behind the codec interface. Every call gets a fresh
 * WebAssembly instance of the (already compiled) module: a WASM heap only ever grows, and the
 * encoder's grows to ~33 bytes per pixel for translucent images, so keeping one instance would pin
 * the largest image's heap in the isolate for good. A fresh instance costs milliseconds and its
 * heap is garbage once the call returns.
 *
 * @example
 * const webp = createWebpCodec({ decoder: { wasmBinary: decoderBytes }, encoder: { wasmBinary: encoderBytes } });
 * const image = await webp.decode(bytes);
 */
export function createWebpCodec(sources: WebpWasmSources): WebpCodec {
  return {
    async decode(bytes) {
      const decoder = await decoderFactory({ noInitialRun: true, ...sources.decoder });
      const decoded = decoder.decode(bytes);
      if (!decoded) throw new MalformedImageError('libwebp could not decode the image');
      const { width, height, data } = decoded;
      return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    },
    async encode(image, quality) {
      const encoder = await encoderFactory({ noInitialRun: true, ...sources.encoder });
      const encoded = encoder.encode(image.data, image.width, image.height, { ...webpEncoderDefaults, quality });
      if (!encoded) throw new Error(`libwebp could not encode a ${image.width}x${image.height} image`);
      return encoded;
    },
  };
}
