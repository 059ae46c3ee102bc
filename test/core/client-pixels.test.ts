import { describe, expect, it } from 'vitest';
import { asImageDataLike, asRgbaImage, upscaleBicubic, type ImageDataLike } from '../../src/client/pixels';
import { imresizeRgba } from '../../src/core/imresize';
import { Canvas } from '../support/samples/paint';

function imageData(width: number, height: number): ImageDataLike {
  const { data } = new Canvas(width, height).fill((x, y) => [x * 20, y * 30, 90, 128 + x]).disc(width / 2, height / 2, 2, [250, 250, 0, 255]).image;
  return { width, height, data: new Uint8ClampedArray(data) };
}

describe('browser pixel views', () => {
  it('share memory with the ImageData instead of copying it', () => {
    const pixels = imageData(5, 3);
    const rgba = asRgbaImage(pixels);
    rgba.data[7] = 42;
    expect(pixels.data[7]).toBe(42);
    const back = asImageDataLike(rgba);
    expect(back.data.buffer).toBe(pixels.data.buffer);
    expect([back.width, back.height]).toEqual([5, 3]);
  });

  it('respect a view that starts inside a larger buffer', () => {
    const buffer = new Uint8ClampedArray(4 + 2 * 4);
    const view = { width: 2, height: 1, data: buffer.subarray(4) };
    asRgbaImage(view).data[0] = 9;
    expect(buffer[4]).toBe(9);
  });

  it('reject data of the wrong length', () => {
    expect(() => asRgbaImage({ width: 3, height: 3, data: new Uint8ClampedArray(35) })).toThrow('35 bytes, not 3x3x4');
  });
});

describe('upscaleBicubic', () => {
  it('is the core MATLAB-style bicubic of all four channels, at scale times the size', () => {
    const pixels = imageData(9, 7);
    const baseline = upscaleBicubic(pixels, 2);
    expect([baseline.width, baseline.height]).toEqual([18, 14]);
    expect(baseline.data).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(baseline.data)).toEqual(Array.from(imresizeRgba(asRgbaImage(pixels), 18, 14).data));
  });
});
