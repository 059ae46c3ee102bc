import { describe, expect, it } from 'vitest';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';
import { imresizeRgba } from '../../src/core/imresize';
import { cropRgba, resampleRgba } from '../../src/core/resample';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const result = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) result.data.set(pixel(x, y), (y * width + x) * 4);
  return result;
}

describe('resampleRgba', () => {
  it('is MATLAB bicubic for opaque images', () => {
    const opaque = image(16, 12, (x, y) => [x * 15, y * 20, (x * y) % 255, 255]);
    expect(resampleRgba(opaque, 7, 5)).toEqual(imresizeRgba(opaque, 7, 5));
  });

  it('returns the image itself at its own size', () => {
    const same = image(4, 4, () => [1, 2, 3, 4]);
    expect(resampleRgba(same, 4, 4)).toBe(same);
  });

  it('does not bleed the colour hidden under transparent pixels into visible ones', () => {
    // Left half opaque white; right half fully transparent but "red" underneath.
    const edge = image(16, 8, (x) => (x < 8 ? [255, 255, 255, 255] : [255, 0, 0, 0]));
    const straight = imresizeRgba(edge, 8, 4);
    const premultiplied = resampleRgba(edge, 8, 4);
    const column = 3; // the visible column next to the edge
    const pixel = (img: RgbaImage) => [...img.data.subarray(column * 4, column * 4 + 4)];
    expect(pixel(straight)[1]).toBeLessThan(250); // green pulled down by the hidden red
    const [r, g, b, a] = pixel(premultiplied);
    expect(a).toBeGreaterThan(0);
    expect(Math.min(r!, g!, b!)).toBeGreaterThanOrEqual(254); // still white
  });
});

describe('cropRgba', () => {
  const numbered = image(5, 4, (x, y) => [x, y, 0, 255]);

  it('copies the window row by row', () => {
    const cropped = cropRgba(numbered, { x: 1, y: 2, width: 3, height: 2 });
    expect(cropped.width).toBe(3);
    expect(cropped.height).toBe(2);
    expect([...cropped.data.subarray(0, 4)]).toEqual([1, 2, 0, 255]);
    expect([...cropped.data.subarray(5 * 4, 6 * 4)]).toEqual([3, 3, 0, 255]);
  });

  it('refuses a window outside the image', () => {
    expect(() => cropRgba(numbered, { x: 3, y: 0, width: 3, height: 1 })).toThrow(RangeError);
  });
});
