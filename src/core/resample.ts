import { createRgbaImage, isOpaque, type RgbaImage } from './image';
import { imresizeRgba } from './imresize';
import type { Rect } from './tiling';

/**
 * Resizes with MATLAB's antialiased bicubic ({@link imresizeRgba}). Translucent images are
 * resized premultiplied by alpha: otherwise the colour hidden under fully transparent pixels,
 * which the filter's taps reach across an edge, would bleed into the visible ones.
 *
 * @example
 * const thumbnail = resampleRgba(upscaled, 320, 240);
 */
export function resampleRgba(image: RgbaImage, width: number, height: number): RgbaImage {
  if (image.width === width && image.height === height) return image;
  if (isOpaque(image)) return imresizeRgba(image, width, height);
  return unpremultiply(imresizeRgba(premultiply(image), width, height));
}

/**
 * Copies the `rect` window of `image` (which must lie inside it) into a new image.
 *
 * @example
 * const centre = cropRgba(image, { x: 10, y: 0, width: 100, height: 100 });
 */
export function cropRgba(image: RgbaImage, rect: Rect): RgbaImage {
  const { x, y, width, height } = rect;
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} is outside the ${image.width}x${image.height} image`);
  }
  const cropped = createRgbaImage(width, height);
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * image.width + x) * 4;
    cropped.data.set(image.data.subarray(start, start + width * 4), row * width * 4);
  }
  return cropped;
}

function premultiply(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = image.data[i + 3]!;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round((image.data[i + c]! * alpha) / 255);
    data[i + 3] = alpha;
  }
  return { width: image.width, height: image.height, data };
}

/** In place; fully transparent pixels get colour 0 (they have none to recover). */
function unpremultiply(image: RgbaImage): RgbaImage {
  const { data } = image;
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]!;
    for (let c = 0; c < 3; c++) data[i + c] = alpha === 0 ? 0 : Math.min(255, Math.round((data[i + c]! * 255) / alpha));
  }
  return image;
}
