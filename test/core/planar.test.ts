import { describe, expect, it } from 'vitest';
import { createRgbaImage, flattenPixels } from '../../src/core/image';
import { interleavedToPlanar, planarToInterleaved, readPlanar, writePlanar } from '../../src/core/planar';

describe('planar layout', () => {
  const image = createRgbaImage(5, 4);
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 256;

  it('reads a window plane by plane, mapping 0..255 onto the range', () => {
    const planar = readPlanar(image, { x: 1, y: 2, width: 3, height: 2 }, [-1, 1]);
    expect(planar.data).toHaveLength(3 * 3 * 2);
    const pixel = (x: number, y: number, c: number) => image.data[(y * 5 + x) * 4 + c]!;
    expect(planar.data[0]).toBeCloseTo(-1 + (2 * pixel(1, 2, 0)) / 255, 6); // R plane, first pixel
    expect(planar.data[6 + 4]).toBeCloseTo(-1 + (2 * pixel(2, 3, 1)) / 255, 6); // G plane, second row
  });

  it('writes back exactly what it read, leaving alpha alone', () => {
    const planar = readPlanar(image, { x: 0, y: 0, width: 5, height: 4 }, [0, 1]);
    const copy = createRgbaImage(5, 4);
    writePlanar(planar, { x: 0, y: 0, width: 5, height: 4 }, copy, 0, 0, [0, 1]);
    for (let i = 0; i < copy.data.length; i++) expect(copy.data[i]).toBe(i % 4 === 3 ? 0 : image.data[i]);
  });

  it('clamps values outside the range instead of wrapping', () => {
    const planar = { width: 2, height: 1, data: new Float32Array([-0.5, 1.7, 0.5, 0.5, 0, 1]) };
    const out = createRgbaImage(2, 1);
    writePlanar(planar, { x: 0, y: 0, width: 2, height: 1 }, out, 0, 0, [0, 1]);
    expect([...out.data]).toEqual([0, 128, 0, 0, 255, 128, 255, 0]);
  });
});

describe('interleaved float RGB (the evaluator and calibration layout)', () => {
  const width = 4;
  const height = 3;
  const rgb = Float32Array.from({ length: width * height * 3 }, (_, i) => i / 100);
  const whole = { x: 0, y: 0, width, height };

  it('splits pixels into R, G and B planes unchanged', () => {
    const planar = interleavedToPlanar({ width, channels: 3, data: rgb }, whole);
    const plane = width * height;
    expect(planar.data[5]).toBe(rgb[5 * 3]); // R of pixel 5
    expect(planar.data[plane + 5]).toBe(rgb[5 * 3 + 1]); // its G
    expect(planar.data[2 * plane + 11]).toBe(rgb[11 * 3 + 2]); // B of the last pixel
  });

  it('interleaves back to the same values', () => {
    const planar = interleavedToPlanar({ width, channels: 3, data: rgb }, whole);
    const back = new Float32Array(rgb.length);
    planarToInterleaved(planar, whole, { width, channels: 3, data: back }, 0, 0, (v) => v);
    expect(back).toEqual(rgb);
  });
});

describe('flattenPixels', () => {
  it('composites over the background and makes the pixels opaque', () => {
    const from = new Uint8Array([200, 0, 0, 0, 200, 0, 0, 255, 100, 50, 0, 128]);
    const to = new Uint8Array(from.length);
    flattenPixels(from, to, from.length, [255, 255, 255]);
    expect([...to]).toEqual([255, 255, 255, 255, 200, 0, 0, 255, 177, 152, 127, 255]);
  });
});
