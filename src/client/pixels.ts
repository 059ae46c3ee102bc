import type { RgbaImage } from '../core/image';
import { imresizeRgba } from '../core/imresize';

/**
 * RGBA pixels the way the DOM has them: an `ImageData`, or anything shaped like one.
 * `new ImageData(pixels.data, pixels.width, pixels.height)` turns a result back into one.
 */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  /** `width * height * 4` bytes, RGBA, not premultiplied. */
  readonly data: Uint8ClampedArray<ArrayBuffer>;
}

/** A view of `image` as the core's {@link RgbaImage}, sharing its memory (no copy). */
export function asRgbaImage(image: ImageDataLike): RgbaImage {
  if (image.data.length !== image.width * image.height * 4) {
    throw new RangeError(`image data holds ${image.data.length} bytes, not ${image.width}x${image.height}x4`);
  }
  return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
}

/** A view of a core {@link RgbaImage} as {@link ImageDataLike}, sharing its memory (no copy). */
export function asImageDataLike(image: RgbaImage): ImageDataLike {
  const { buffer, byteOffset, byteLength } = image.data;
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(buffer as ArrayBuffer, byteOffset, byteLength) };
}

/**
 * The baseline super-resolution is compared with: MATLAB-style bicubic (the resampler behind the
 * published bicubic numbers), every channel alike.
 *
 * @example
 * const baseline = upscaleBicubic(imageData, 2); // baseline.width === imageData.width * 2
 */
export function upscaleBicubic(image: ImageDataLike, scale: number): ImageDataLike {
  return asImageDataLike(imresizeRgba(asRgbaImage(image), image.width * scale, image.height * scale));
}
