import type { Raster } from '../../src/core/imresize';

/** What upscalers exchange: RGB interleaved (`data[(y * width + x) * 3 + c]`), values in [0, 1]. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * An 8-bit RGB raster as floats in [0, 1]. Every value is `k / 255` exactly as float32 can hold it,
 * so {@link quantizeToUint8} gives back the same bytes.
 *
 * @example
 * toFloatImage({ width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 51]) }).data; // [1, 0, 0.2]
 */
export function toFloatImage(raster: Raster<Uint8Array>): FloatImage {
  if (raster.channels !== 3) throw new RangeError(`expected RGB, got ${raster.channels} channels`);
  return { width: raster.width, height: raster.height, data: Float32Array.from(raster.data, (v) => v / 255) };
}

/**
 * Rounds a float image to 8-bit RGB (clamping overshoot), as a model's output is saved to PNG
 * before the published metrics read it; the evaluator scores what would be served.
 *
 * @example
 * quantizeToUint8({ width: 1, height: 1, data: new Float32Array([1.2, 0.5, -0.1]) }).data; // [255, 128, 0]
 */
export function quantizeToUint8(image: FloatImage): Raster<Uint8Array> {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i]! * 255;
    // NaN fails both comparisons and Math.round(NaN) stores 0: a broken model scores badly, not silently well.
    data[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width: image.width, height: image.height, channels: 3, data };
}
