import { describe, expect, it } from 'vitest';
import { contributionTable, imresize, imresizeRgba, imresizeUint8, type Raster } from '../../src/core/imresize';

/**
 * Keys' cubic convolution kernel for a general `a` (Keys 1981, eq. 15); MATLAB's `cubic` is a = -0.5.
 * Written from the paper's general form rather than the implementation's expanded coefficients.
 */
function keys(x: number, a = -0.5): number {
  const t = Math.abs(x);
  if (t <= 1) return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1;
  if (t < 2) return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a;
  return 0;
}

const row = (values: number[]): Raster<Float64Array> => ({ width: values.length, height: 1, channels: 1, data: Float64Array.from(values) });
const column = (values: number[]): Raster<Float64Array> => ({ width: 1, height: values.length, channels: 1, data: Float64Array.from(values) });

describe('imresize against the MATLAB definition, derived by hand', () => {
  // Signal x1..x4 (1-based as in imresize.m).
  const x = [10, 20, 40, 80];

  it('downscales 4 -> 2 with the kernel stretched by 2 and mirrored borders', () => {
    // Output 1 sits at input coordinate u = 1/0.5 + 0.5 * (1 - 1/0.5) = 1.5. Antialiasing stretches
    // the kernel to width 8: h(d) = 0.5 * keys(0.5 * d). Taps j = -2..5 (the weights at j = -3 and 6
    // are 0); positions outside 1..4 mirror with a repeated edge sample: -2->3, -1->2, 0->1, 5->4.
    const taps = [-2, -1, 0, 1, 2, 3, 4, 5];
    const mirrored = [3, 2, 1, 1, 2, 3, 4, 4];
    const weights = taps.map((j) => 0.5 * keys(0.5 * (1.5 - j)));
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 15);
    const first = weights.reduce((s, w, i) => s + w * x[mirrored[i]! - 1]!, 0);
    // Collected per input sample the weights are 70/128, 51/128, 13/128, -6/128.
    expect(first).toBe((70 * 10 + 51 * 20 + 13 * 40 - 6 * 80) / 128);
    const second = (70 * 80 + 51 * 40 + 13 * 20 - 6 * 10) / 128; // the mirror image of output 1
    expect(Array.from(imresize(row(x), 2, 1).data)).toEqual([first, second]); // 13.75, 61.25
  });

  it('upscales 2 -> 4 with the plain kernel', () => {
    // Outputs sit at u = o/2 + 0.25: 0.75, 1.25, 1.75, 2.25. For u = 0.75 the taps j = -1..2 are at
    // distances 1.75, 0.75, -0.25, -1.25 and read p/q as q, p, p, q (mirroring -1->2, 0->1).
    const [p, q] = [13.75, 61.25];
    const out1 = keys(1.75) * q + keys(0.75) * p + keys(-0.25) * p + keys(-1.25) * q; // (35p - 3q) / 32
    const out2 = keys(1.25) * p + keys(0.25) * p + keys(-0.75) * q + keys(-1.75) * q; // (51p + 13q) / 64
    expect(out1).toBe((35 * p - 3 * q) / 32);
    expect(out2).toBe((51 * p + 13 * q) / 64);
    const expected = [out1, out2, (13 * p + 51 * q) / 64, (35 * q - 3 * p) / 32];
    expect(Array.from(imresize(row([p, q]), 4, 1).data)).toEqual(expected); // 9.296875, 23.3984375, 51.6015625, 65.703125
  });

  it('treats rows like columns', () => {
    expect(Array.from(imresize(column(x), 1, 2).data)).toEqual(Array.from(imresize(row(x), 2, 1).data));
  });

  it('drops tap columns that are zero for every output, as imresize.m does', () => {
    const halve = contributionTable(4, 2);
    expect(halve.taps).toBe(8);
    expect(Array.from(halve.indices.slice(0, 8))).toEqual([2, 1, 0, 0, 1, 2, 3, 3]); // 0-based mirrored
    expect(contributionTable(2, 4).taps).toBe(4);
  });
});

describe('imresize properties', () => {
  it.each([
    ['down x3', 12, 9, 4, 3],
    ['up x4', 3, 5, 12, 20],
    ['mixed', 10, 4, 7, 9],
  ])('keeps a constant image constant (%s)', (_, w, h, outW, outH) => {
    const image: Raster<Float64Array> = { width: w, height: h, channels: 2, data: new Float64Array(w * h * 2).map((_, i) => (i % 2 ? 0.25 : 0.75)) };
    const out = imresize(image, outW, outH);
    expect(out.width).toBe(outW);
    expect(out.height).toBe(outH);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBeCloseTo(i % 2 ? 0.25 : 0.75, 6);
  });

  it('is the identity at unit scale', () => {
    const image: Raster<Uint8Array> = { width: 3, height: 2, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
    expect(imresizeUint8(image, 3, 2).data).toEqual(image.data);
  });

  it('rejects data that does not match the declared size', () => {
    expect(() => imresize({ width: 2, height: 2, channels: 3, data: new Float32Array(11) }, 1, 1)).toThrow(/11 values/);
  });
});

describe('imresizeUint8 (MATLAB uint8 semantics)', () => {
  const noise = (w: number, h: number, channels: number, seed: number): Raster<Uint8Array> => {
    let s = seed;
    const data = Uint8Array.from({ length: w * h * channels }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % 256;
    });
    return { width: w, height: h, channels, data };
  };

  it('rounds and saturates the float result of a single-axis resize', () => {
    const image: Raster<Uint8Array> = { width: 6, height: 1, channels: 1, data: Uint8Array.from([0, 255, 0, 255, 255, 0]) };
    const float = imresize(image, 12, 1).data;
    expect(Math.min(...float)).toBeLessThan(0); // the cubic overshoots: saturation matters here
    const expected = Array.from(float, (v) => Math.min(255, Math.max(0, Math.round(v))));
    expect(Array.from(imresizeUint8(image, 12, 1).data)).toEqual(expected);
  });

  it('rounds between passes and resizes the smaller-scale axis first', () => {
    // Width shrinks (scale 1/2) and height grows (scale 2), so columns go first; composing two
    // single-axis resizes in that order must match, and the other order must not.
    const image = noise(16, 5, 3, 7);
    const columnsFirst = imresizeUint8(imresizeUint8(image, 8, 5), 8, 10);
    const rowsFirst = imresizeUint8(imresizeUint8(image, 16, 10), 8, 10);
    expect(imresizeUint8(image, 8, 10).data).toEqual(columnsFirst.data);
    expect(rowsFirst.data).not.toEqual(columnsFirst.data);
  });

  it('resizes rows first when both scales are equal', () => {
    const image = noise(12, 12, 1, 3);
    const rowsFirst = imresizeUint8(imresizeUint8(image, 12, 6), 6, 6);
    expect(imresizeUint8(image, 6, 6).data).toEqual(rowsFirst.data);
  });

  it('resizes RGBA with alpha as a fourth channel', () => {
    const rgb = noise(8, 6, 3, 11);
    const alpha = noise(8, 6, 1, 5);
    const rgba = new Uint8Array(8 * 6 * 4);
    for (let p = 0; p < 48; p++) rgba.set([...rgb.data.subarray(p * 3, p * 3 + 3), alpha.data[p]!], p * 4);
    const out = imresizeRgba({ width: 8, height: 6, data: rgba }, 4, 3);
    const expectedRgb = imresizeUint8(rgb, 4, 3).data;
    const expectedAlpha = imresizeUint8(alpha, 4, 3).data;
    expect(out.width * out.height).toBe(12);
    for (let p = 0; p < 12; p++) {
      expect(Array.from(out.data.subarray(p * 4, p * 4 + 4))).toEqual([...expectedRgb.subarray(p * 3, p * 3 + 3), expectedAlpha[p]]);
    }
  });
});
