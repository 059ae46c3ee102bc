/**
 * An 8-bit RGBA raster, row-major and interleaved: the one pixel currency between the
 * codecs, the upscale pipeline and the training data loader.
 *
 * @example
 * const image: RgbaImage = { width: 2, height: 1, data: new Uint8Array(8) };
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 4` bytes, RGBA; alpha 255 for opaque sources. */
  readonly data: Uint8Array;
}

/** Allocates a zeroed (transparent black) image, failing on sizes that cannot be an image. */
export function createRgbaImage(width: number, height: number): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** True when every pixel has alpha 255, so the alpha channel can be dropped losslessly. */
export function isOpaque(image: RgbaImage): boolean {
  const { data } = image;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

/**
 * Composites `length` RGBA bytes of `from` over an opaque `background` colour (straight alpha)
 * into `to`, for outputs without an alpha channel: JPEG would otherwise show whatever colour hides
 * under transparent pixels.
 *
 * @example
 * flattenPixels(band.data, flat, band.data.length, [255, 255, 255]);
 */
export function flattenPixels(from: Uint8Array, to: Uint8Array, length: number, background: readonly [number, number, number]): void {
  for (let i = 0; i < length; i += 4) {
    const alpha = from[i + 3]! / 255;
    for (let c = 0; c < 3; c++) to[i + c] = Math.round(from[i + c]! * alpha + background[c]! * (1 - alpha));
    to[i + 3] = 255;
  }
}
