import { decode, encode } from 'jpeg-js';
import type { RgbaImage } from '../core/image';

/** Decodes baseline or progressive JPEG (grey, YCbCr, Adobe CMYK) to RGBA8. */
export function decodeJpeg(bytes: Uint8Array, maxResolutionInMP: number): RgbaImage {
  const jpeg = decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP });
  return { width: jpeg.width, height: jpeg.height, data: jpeg.data };
}

/** Encodes RGBA8 as baseline JPEG at `quality` 1..100; alpha is ignored (JPEG has none). */
export function encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
  const { data } = encode({ width: image.width, height: image.height, data: image.data }, quality);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
