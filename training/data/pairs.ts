import type { RgbaImage } from '../../src/core/image';
import { imresizeUint8, type Raster } from '../../src/core/imresize';

/** A ground-truth image and its bicubic-degraded input, both uint8 RGB; `hr` is `scale` times `lr`. */
export interface BicubicPair {
  readonly hr: Raster<Uint8Array>;
  readonly lr: Raster<Uint8Array>;
}

/**
 * The RGB channels of the top-left `scale`-multiple crop of an image: MATLAB's `modcrop`, which
 * every SR benchmark applies before degrading. Alpha is dropped (training and benchmark sets are
 * opaque). `name` only serves the error message.
 *
 * @example
 * modCropRgb(image, 3, 'zebra.png'); // 586x391 -> 585x390
 */
export function modCropRgb(image: RgbaImage, scale: number, name: string): Raster<Uint8Array> {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
  const width = image.width - (image.width % scale);
  const height = image.height - (image.height % scale);
  if (width === 0 || height === 0) throw new RangeError(`${name}: ${image.width}x${image.height} is smaller than scale ${scale}`);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * image.width + x) * 4;
      const to = (y * width + x) * 3;
      data[to] = image.data[from]!;
      data[to + 1] = image.data[from + 1]!;
      data[to + 2] = image.data[from + 2]!;
    }
  }
  return { width, height, channels: 3, data };
}

/**
 * The benchmark degradation: mod-crop, then MATLAB `imresize(hr, 1/scale, 'bicubic')` on uint8
 * (antialiased, a = -0.5, symmetric borders). Training pairs and evaluation inputs both come from here.
 *
 * @example
 * const { hr, lr } = bicubicPair(decodePng(bytes), 2, 'baby.png'); // lr 256x256 for a 512x512 baby
 */
export function bicubicPair(image: RgbaImage, scale: number, name: string): BicubicPair {
  const hr = modCropRgb(image, scale, name);
  return { hr, lr: imresizeUint8(hr, hr.width / scale, hr.height / scale) };
}
