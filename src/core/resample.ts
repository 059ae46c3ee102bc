import { BandAssembler, type BandedImage, type RgbaBand } from './bands';
import { flattenPixels } from './image';
import { RowResizer } from './imresize';
import type { Rect } from './tiling';

/** Output rows per band of the streaming transforms: enough to amortise a band's overhead, few enough to stay O(width). */
const ROWS_PER_BAND = 32;

/**
 * Resizes a banded image with MATLAB's antialiased bicubic, row by row as bands arrive
 * ({@link RowResizer}: the rows equal `imresizeUint8`'s). Translucent images are resized
 * premultiplied by alpha: otherwise the colour hidden under fully transparent pixels, which the
 * filter's taps reach across an edge, would bleed into the visible ones. Opaque images skip the
 * premultiplication, which would change nothing in them.
 *
 * @example
 * const thumbnail = resizeBands(decoded, 320, 240);
 */
export function resizeBands(image: BandedImage, width: number, height: number): BandedImage {
  if (image.width === width && image.height === height) return image;
  const { opaque } = image;
  async function* bands(): AsyncGenerator<RgbaBand> {
    const assembler = new BandAssembler(width, ROWS_PER_BAND);
    const premultiplied = new Uint8Array(image.width * 4);
    const resizer = new RowResizer(image, { width, height }, 4, (row) => {
      if (!opaque) unpremultiplyRow(row, width);
      assembler.add(row);
    });
    for await (const band of image.bands) {
      for (let row = 0; row < band.height; row++) {
        const start = row * band.width * 4;
        if (opaque) resizer.push(band.data, start);
        else resizer.push(premultiplyRow(band.data, start, premultiplied), 0);
      }
      yield* assembler.take();
    }
    assembler.finish();
    yield* assembler.take();
    if (resizer.rowsOut !== height) throw new RangeError(`resize produced ${resizer.rowsOut} of ${height} rows`);
  }
  return { width, height, opaque, bands: bands() };
}

/**
 * The `rect` window of a banded image (which must lie inside it), band by band.
 *
 * @example
 * const centre = cropBands(resized, { x: 10, y: 0, width: 100, height: 100 });
 */
export function cropBands(image: BandedImage, rect: Rect): BandedImage {
  const { x, y, width, height } = rect;
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > image.width || y + height > image.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} is outside the ${image.width}x${image.height} image`);
  }
  async function* bands(): AsyncGenerator<RgbaBand> {
    const assembler = new BandAssembler(width, ROWS_PER_BAND);
    for await (const band of image.bands) {
      const first = Math.max(band.y, y);
      const last = Math.min(band.y + band.height, y + height);
      for (let row = first; row < last; row++) assembler.add(band.data, ((row - band.y) * band.width + x) * 4);
      yield* assembler.take();
    }
    assembler.finish();
    yield* assembler.take();
  }
  return { width, height, opaque: image.opaque, bands: bands() };
}

/**
 * {@link flattenPixels} band by band: a banded image composited over an opaque `background`.
 * Opaque images pass through untouched.
 *
 * @example
 * const forJpeg = flattenBands(image, [255, 255, 255]);
 */
export function flattenBands(image: BandedImage, background: readonly [number, number, number]): BandedImage {
  if (image.opaque) return image;
  async function* bands(): AsyncGenerator<RgbaBand> {
    let flat = new Uint8Array(0);
    for await (const band of image.bands) {
      const length = band.width * band.height * 4;
      if (flat.length < length) flat = new Uint8Array(length);
      flattenPixels(band.data, flat, length, background);
      yield { ...band, data: flat.subarray(0, length) };
    }
  }
  return { width: image.width, height: image.height, opaque: true, bands: bands() };
}

function premultiplyRow(from: Uint8Array, start: number, to: Uint8Array): Uint8Array {
  for (let i = 0; i < to.length; i += 4) {
    const alpha = from[start + i + 3]!;
    for (let c = 0; c < 3; c++) to[i + c] = Math.round((from[start + i + c]! * alpha) / 255);
    to[i + 3] = alpha;
  }
  return to;
}

/** In place; fully transparent pixels get colour 0 (they have none to recover). */
function unpremultiplyRow(row: Uint8Array, width: number): void {
  for (let i = 0; i < width * 4; i += 4) {
    const alpha = row[i + 3]!;
    for (let c = 0; c < 3; c++) row[i + c] = alpha === 0 ? 0 : Math.min(255, Math.round((row[i + c]! * 255) / alpha));
  }
}
