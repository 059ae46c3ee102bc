import type { RgbaImage } from './image';
import type { PlanarImage } from './model-runner';
import type { Rect } from './tiling';

/**
 * Pixels stored interleaved, row by row: `channels` values per pixel, the first three R, G, B
 * (an RGBA image has 4, a float RGB image 3). The one pixel layout models do not read, so every
 * conversion to and from the planar (NCHW) layout they do read goes through this file.
 */
export interface InterleavedPixels<T> {
  readonly width: number;
  readonly channels: number;
  readonly data: T;
}

/** Where a planar copy goes: a fresh array, or the start of a reused one (at least `3 * width * height` long). */
export interface PlanarTarget {
  readonly into?: Float32Array;
}

/**
 * Copies the RGB of `window` out of interleaved pixels into a planar float image, each value
 * `v` as `low + v * step`; channels past the third are not read. With `target.into`, the image's
 * data is the view of its first `3 * width * height` values (no allocation).
 *
 * @example
 * interleavedToPlanar({ width: 2, channels: 3, data: [1, 2, 3, 4, 5, 6] }, { x: 0, y: 0, width: 2, height: 1 }).data; // [1, 4, 2, 5, 3, 6]
 */
export function interleavedToPlanar(pixels: InterleavedPixels<ArrayLike<number>>, window: Rect, low = 0, step = 1, target: PlanarTarget = {}): PlanarImage {
  const { width, height } = window;
  const { channels, data: source } = pixels;
  const plane = width * height;
  const data = planarStorage(3 * plane, target);
  for (let y = 0; y < height; y++) {
    let from = ((window.y + y) * pixels.width + window.x) * channels;
    let target = y * width;
    for (let x = 0; x < width; x++, from += channels, target++) {
      data[target] = low + source[from]! * step;
      data[target + plane] = low + source[from + 1]! * step;
      data[target + 2 * plane] = low + source[from + 2]! * step;
    }
  }
  return { width, height, data };
}

function planarStorage(length: number, target: PlanarTarget): Float32Array {
  if (target.into === undefined) return new Float32Array(length);
  if (target.into.length < length) throw new RangeError(`a planar target of ${target.into.length} values cannot hold ${length}`);
  return target.into.subarray(0, length);
}

/**
 * Writes the `from` window of a planar float image into interleaved pixels at (`toX`, `toY`),
 * each value `v` as `convert(v)`; channels past the third are left untouched.
 */
export function planarToInterleaved(
  planar: PlanarImage,
  from: Rect,
  pixels: InterleavedPixels<{ [index: number]: number }>,
  toX: number,
  toY: number,
  convert: (value: number) => number,
): void {
  const plane = planar.width * planar.height;
  const { channels, data: out } = pixels;
  for (let y = 0; y < from.height; y++) {
    let source = (from.y + y) * planar.width + from.x;
    let target = ((toY + y) * pixels.width + toX) * channels;
    for (let x = 0; x < from.width; x++, source++, target += channels) {
      out[target] = convert(planar.data[source]!);
      out[target + 1] = convert(planar.data[source + plane]!);
      out[target + 2] = convert(planar.data[source + 2 * plane]!);
    }
  }
}

/**
 * Copies the RGB of `window` out of `image` into a planar float image, mapping 8-bit 0..255
 * linearly onto `range` (the model's input range). Alpha is not read: the model sees colour only.
 * `target` as in {@link interleavedToPlanar}.
 *
 * @example
 * readPlanar(image, { x: 0, y: 0, width: 8, height: 8 }, [0, 1]).data.length; // 192
 */
export function readPlanar(image: RgbaImage, window: Rect, range: readonly [number, number], target: PlanarTarget = {}): PlanarImage {
  const [low, high] = range;
  return interleavedToPlanar({ width: image.width, channels: 4, data: image.data }, window, low, (high - low) / 255, target);
}

/**
 * Writes the `from` window of a planar float image into `image` at (`toX`, `toY`), mapping `range`
 * back onto 0..255 with rounding and clamping (models overshoot slightly near edges).
 * Alpha in the target is left untouched.
 */
export function writePlanar(planar: PlanarImage, from: Rect, image: RgbaImage, toX: number, toY: number, range: readonly [number, number]): void {
  const [low, high] = range;
  const scale = 255 / (high - low);
  planarToInterleaved(planar, from, { width: image.width, channels: 4, data: image.data }, toX, toY, (value) => toByte((value - low) * scale));
}

/** Rounds to 0..255; a Uint8Array would wrap out-of-range values modulo 256 instead of clamping. */
function toByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
