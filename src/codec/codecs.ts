import { flattenAlpha, isOpaque, type RgbaImage } from '../core/image';
import { MalformedImageError } from './errors';
import type { ImageFormat } from './format';
import type { ImageHeader } from './header';
import { decodeJpeg, encodeJpeg } from './jpeg';
import { decodePng, encodePng } from './png';
import type { WebpCodec } from './webp';

/** Decode and encode by format: the one codec entry point of the upscale pipeline. */
export interface ImageCodecs {
  /**
   * Decodes `bytes`, whose header {@link readImageHeader} has already read (and the caller has
   * checked against its limits), to RGBA8. A decoder that disagrees with the header about the
   * size is treated as a malformed image.
   */
  decode(bytes: Uint8Array, header: ImageHeader): Promise<RgbaImage>;
  /** `quality` (1..100) is used by the lossy formats and ignored by PNG. */
  encode(image: RgbaImage, format: ImageFormat, quality: number): Promise<Uint8Array<ArrayBuffer>>;
}

/** JPEG has no alpha channel: translucent pixels are composited over white. */
const JPEG_BACKGROUND = [255, 255, 255] as const;

/**
 * PNG and JPEG in pure JavaScript (fast-png, jpeg-js), WebP through the given libwebp codec.
 *
 * @example
 * const codecs = createImageCodecs(createWebpCodec(modules));
 * const image = await codecs.decode(bytes, readImageHeader(bytes));
 */
export function createImageCodecs(webp: WebpCodec): ImageCodecs {
  return {
    async decode(bytes, header) {
      const image = await decodeByFormat(bytes, header, webp);
      if (image.width !== header.width || image.height !== header.height) {
        throw new MalformedImageError(`${header.format} decoded to ${image.width}x${image.height}, header says ${header.width}x${header.height}`);
      }
      return image;
    },
    async encode(image, format, quality) {
      switch (format) {
        case 'png':
          return inArrayBuffer(encodePng(image, isOpaque(image)));
        case 'jpeg':
          return inArrayBuffer(encodeJpeg(isOpaque(image) ? image : flattenAlpha(image, JPEG_BACKGROUND), quality));
        case 'webp':
          return webp.encode(image, quality);
      }
    },
  };
}

async function decodeByFormat(bytes: Uint8Array, header: ImageHeader, webp: WebpCodec): Promise<RgbaImage> {
  try {
    switch (header.format) {
      case 'png':
        return decodePng(bytes);
      case 'jpeg':
        // jpeg-js has its own megapixel budget; ours was applied to the same header already, so
        // give it the header's size, rounded up (w * h / 1e6 * 1e6 can round below w * h).
        return decodeJpeg(bytes, Math.ceil((header.width * header.height) / 1e6));
      case 'webp':
        return await webp.decode(bytes);
    }
  } catch (error) {
    if (error instanceof MalformedImageError) throw error;
    throw new MalformedImageError(`${header.format} decoder failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * The JavaScript encoders return views of ordinary ArrayBuffers, which `Response` bodies and Web
 * Crypto require; TypeScript's typed-array types cannot say so, hence this checked narrowing.
 */
function inArrayBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(bytes.buffer instanceof ArrayBuffer)) throw new TypeError('encoder returned bytes outside an ArrayBuffer');
  return bytes as Uint8Array<ArrayBuffer>;
}
