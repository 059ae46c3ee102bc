import type { RgbaImage } from './image';
import type { PlanarImage } from './model-runner';
import type { Rect } from './tiling';

/**
 * Copies the RGB of `window` out of `image` into a planar float image, mapping 8-bit 0..255
 * linearly onto `range` (the model's input range). Alpha is not read: the model sees colour only.
 *
 * @example
 * readPlanar(image, { x: 0, y: 0, width: 8, height: 8 }, [0, 1]).data.length; // 192
 */
export function readPlanar(image: RgbaImage, window: Rect, range: readonly [number, number]): PlanarImage {
  const { width, height } = window;
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const [low, high] = range;
  const step = (high - low) / 255;
  for (let y = 0; y < height; y++) {
    let source = ((window.y + y) * image.width + window.x) * 4;
    let target = y * width;
    for (let x = 0; x < width; x++, source += 4, target++) {
      data[target] = low + image.data[source]! * step;
      data[target + plane] = low + image.data[source + 1]! * step;
      data[target + 2 * plane] = low + image.data[source + 2]! * step;
    }
  }
  return { width, height, data };
}

/**
 * Writes the `from` window of a planar float image into `image` at (`toX`, `toY`), mapping `range`
 * back onto 0..255 with rounding and clamping (models overshoot slightly near edges).
 * Alpha in the target is left untouched.
 */
export function writePlanar(planar: PlanarImage, from: Rect, image: RgbaImage, toX: number, toY: number, range: readonly [number, number]): void {
  const plane = planar.width * planar.height;
  const [low, high] = range;
  const scale = 255 / (high - low);
  const out = image.data;
  for (let y = 0; y < from.height; y++) {
    let source = (from.y + y) * planar.width + from.x;
    let target = ((toY + y) * image.width + toX) * 4;
    for (let x = 0; x < from.width; x++, source++, target += 4) {
      out[target] = toByte((planar.data[source]! - low) * scale);
      out[target + 1] = toByte((planar.data[source + plane]! - low) * scale);
      out[target + 2] = toByte((planar.data[source + 2 * plane]! - low) * scale);
    }
  }
}

/** Rounds to 0..255; a Uint8Array would wrap out-of-range values modulo 256 instead of clamping. */
function toByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
