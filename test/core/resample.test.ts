import { describe, expect, it } from 'vitest';
import { bandsOf, collectBands, type BandedImage } from '../../src/core/bands';
import { createRgbaImage, isOpaque, type RgbaImage } from '../../src/core/image';
import { imresizeRgba } from '../../src/core/imresize';
import { cropBands, flattenBands, resizeBands } from '../../src/core/resample';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const result = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) result.data.set(pixel(x, y), (y * width + x) * 4);
  return result;
}

const banded = (img: RgbaImage, rows = 5): BandedImage => bandsOf(img, isOpaque(img), rows);

describe('resizeBands', () => {
  it.each([1, 3, 64])('is MATLAB bicubic for opaque images, whatever the input band height (%i)', async (rows) => {
    const opaque = image(16, 12, (x, y) => [x * 15, y * 20, (x * y) % 255, 255]);
    expect(await collectBands(resizeBands(banded(opaque, rows), 7, 5))).toEqual(imresizeRgba(opaque, 7, 5));
    expect(await collectBands(resizeBands(banded(opaque, rows), 40, 100))).toEqual(imresizeRgba(opaque, 40, 100));
  });

  it('returns the image itself at its own size', () => {
    const same = banded(image(4, 4, () => [1, 2, 3, 4]));
    expect(resizeBands(same, 4, 4)).toBe(same);
  });

  it('does not bleed the colour hidden under transparent pixels into visible ones', async () => {
    // Left half opaque white; right half fully transparent but "red" underneath.
    const edge = image(16, 8, (x) => (x < 8 ? [255, 255, 255, 255] : [255, 0, 0, 0]));
    const straight = imresizeRgba(edge, 8, 4);
    const premultiplied = await collectBands(resizeBands(banded(edge), 8, 4));
    const column = 3; // the visible column next to the edge
    const pixel = (img: RgbaImage) => [...img.data.subarray(column * 4, column * 4 + 4)];
    expect(pixel(straight)[1]).toBeLessThan(250); // green pulled down by the hidden red
    const [r, g, b, a] = pixel(premultiplied);
    expect(a).toBeGreaterThan(0);
    expect(Math.min(r!, g!, b!)).toBeGreaterThanOrEqual(254); // still white
  });
});

describe('cropBands', () => {
  const numbered = image(5, 40, (x, y) => [x, y, 0, 255]);

  it('copies the window row by row', async () => {
    const cropped = await collectBands(cropBands(banded(numbered, 3), { x: 1, y: 2, width: 3, height: 35 }));
    expect(cropped.width).toBe(3);
    expect(cropped.height).toBe(35);
    expect([...cropped.data.subarray(0, 4)]).toEqual([1, 2, 0, 255]);
    expect([...cropped.data.subarray(5 * 4, 6 * 4)]).toEqual([3, 3, 0, 255]);
    expect([...cropped.data.subarray((34 * 3 + 2) * 4, (34 * 3 + 3) * 4)]).toEqual([3, 36, 0, 255]);
  });

  it('refuses a window outside the image', () => {
    expect(() => cropBands(banded(numbered), { x: 3, y: 0, width: 3, height: 1 })).toThrow(RangeError);
  });
});

describe('flattenBands', () => {
  it('composites translucent bands over the background and passes opaque images through', async () => {
    const translucent = image(3, 2, (x) => [200, 0, 0, x * 100]);
    const flat = flattenBands(banded(translucent, 1), [255, 255, 255]);
    expect(flat.opaque).toBe(true);
    const pixels = await collectBands(flat);
    expect([...pixels.data.subarray(0, 12)]).toEqual([255, 255, 255, 255, 233, 155, 155, 255, 212, 55, 55, 255]);
    const opaque = banded(image(3, 2, () => [1, 2, 3, 255]));
    expect(flattenBands(opaque, [255, 255, 255])).toBe(opaque);
  });
});
