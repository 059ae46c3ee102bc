import { describe, expect, it } from 'vitest';
import type { Raster } from '../../src/core/imresize';
import { psnr, rgbToY, ssim } from '../../src/core/metrics';

const filled = (width: number, height: number, channels: number, value: (i: number) => number): Raster<Uint8Array> => ({
  width,
  height,
  channels,
  data: Uint8Array.from({ length: width * height * channels }, (_, i) => value(i)),
});
const texture = (i: number): number => (i * 37 + ((i * i) % 101)) % 256;
const rgbOnly = { cropBorder: 0, yChannel: false };
const yOnly = { cropBorder: 0, yChannel: true };

describe('rgbToY', () => {
  it('maps black and white to the BT.601 studio range 16..235', () => {
    const image = { width: 2, height: 1, channels: 3, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
    const y = rgbToY(image).data;
    expect(y[0]).toBe(16);
    expect(y[1]).toBeCloseTo(235, 12);
  });

  it('keeps the fraction (MATLAB rgb2ycbcr on doubles)', () => {
    expect(rgbToY({ width: 1, height: 1, channels: 4, data: Uint8Array.from([255, 0, 0, 7]) }).data[0]).toBeCloseTo(16 + 65.481, 12);
  });
});

describe('psnr', () => {
  it('is Infinity for identical images', () => {
    const a = filled(16, 16, 3, texture);
    expect(psnr(a, a, yOnly)).toBe(Infinity);
  });

  it('turns a known MSE into 10 log10(255^2 / MSE)', () => {
    const a = filled(8, 8, 3, () => 100);
    const b = filled(8, 8, 3, () => 105);
    expect(psnr(a, b, rgbOnly)).toBeCloseTo(10 * Math.log10((255 * 255) / 25), 12); // 34.15 dB
    // On Y a grey step of 5 shrinks by 219/255.
    const yStep = (5 * 219) / 255;
    expect(psnr(a, b, yOnly)).toBeCloseTo(10 * Math.log10((255 * 255) / (yStep * yStep)), 10);
  });

  it('averages the squared error over every pixel of every colour channel', () => {
    const a = filled(4, 4, 3, () => 50);
    const b = filled(4, 4, 3, (i) => (i === 0 ? 58 : 50)); // one sample off by 8 among 48
    expect(psnr(a, b, rgbOnly)).toBeCloseTo(10 * Math.log10((255 * 255) / (64 / 48)), 12);
  });

  it('ignores the shaved border and alpha', () => {
    const a = filled(10, 10, 4, texture);
    const b = filled(10, 10, 4, (i) => {
      const p = Math.floor(i / 4);
      const border = p % 10 < 2 || p % 10 > 7 || p < 20 || p >= 80;
      return i % 4 === 3 || border ? 255 - texture(i) : texture(i);
    });
    expect(psnr(a, b, { cropBorder: 2, yChannel: false })).toBe(Infinity);
    expect(psnr(a, b, { cropBorder: 1, yChannel: false })).toBeLessThan(20);
  });

  it('rejects mismatched sizes and oversized borders', () => {
    expect(() => psnr(filled(4, 4, 3, texture), filled(4, 5, 3, texture), rgbOnly)).toThrow(/differ in size/);
    expect(() => psnr(filled(4, 4, 3, texture), filled(4, 4, 3, texture), { cropBorder: 2, yChannel: true })).toThrow(/cropBorder/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const a = filled(24, 20, 3, texture);
    expect(ssim(a, a, yOnly)).toBeCloseTo(1, 12);
    expect(ssim(a, a, rgbOnly)).toBeCloseTo(1, 12);
  });

  it('reduces to the luminance term for flat images', () => {
    // No variance, no covariance: SSIM = (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1), C1 = (0.01 * 255)^2.
    const c1 = (0.01 * 255) ** 2;
    const expected = (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1);
    expect(
      ssim(
        filled(16, 16, 1, () => 100),
        filled(16, 16, 1, () => 110),
        rgbOnly,
      ),
    ).toBeCloseTo(expected, 12);
  });

  it('scores anti-correlated patterns near the structure term alone', () => {
    // A checkerboard and its inverse around 128: equal means and variances, covariance -var, so
    // every window scores (2 * -var + C2) / (2 * var + C2) times a luminance term of 1.
    const board = (invert: boolean) => filled(16, 16, 1, (i) => (((i % 16) + Math.floor(i / 16)) % 2 === (invert ? 1 : 0) ? 138 : 118));
    const score = ssim(board(false), board(true), rgbOnly);
    const c2 = (0.03 * 255) ** 2;
    expect(score).toBeLessThan(0);
    expect(score).toBeGreaterThan(-1);
    // The 11x11 window straddles the board unevenly, so the variance is not exactly 100: bound it.
    expect(score).toBeCloseTo((-2 * 100 + c2) / (2 * 100 + c2), 1);
  });

  it('is symmetric and below 1 for a noisy copy', () => {
    const a = filled(32, 32, 3, texture);
    const b = filled(32, 32, 3, (i) => Math.min(255, texture(i) + (i % 7)));
    expect(ssim(a, b, yOnly)).toBeCloseTo(ssim(b, a, yOnly), 12);
    expect(ssim(a, b, yOnly)).toBeLessThan(1);
  });

  it('needs an 11x11 window after cropping', () => {
    const a = filled(14, 14, 3, texture);
    expect(() => ssim(a, a, { cropBorder: 2, yChannel: true })).toThrow(/11x11/);
  });
});
