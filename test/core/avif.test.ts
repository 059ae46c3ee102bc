import { describe, expect, it } from 'vitest';
import { avifQuality } from '../../src/codec/avif';
import { MalformedImageError } from '../../src/codec/errors';
import { readImageHeader } from '../../src/codec/header';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';
import { nodeAvifCodec } from './node-codecs';

const avif = nodeAvifCodec();

/** Smooth gradients with a hard-edged square: something a lossy encoder keeps recognisably. */
function image(width: number, height: number, alpha?: (x: number, y: number) => number): RgbaImage {
  const result = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
      const rgb = inSquare ? [230, 40, 40] : [(x * 255) / width, (y * 255) / height, 120];
      result.data.set([...rgb, alpha?.(x, y) ?? 255], (y * width + x) * 4);
    }
  }
  return result;
}

function meanAbsoluteError(a: RgbaImage, b: RgbaImage, channel?: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (channel !== undefined && i % 4 !== channel) continue;
    sum += Math.abs(a.data[i]! - b.data[i]!);
    count++;
  }
  return sum / count;
}

describe('AVIF codec (libavif)', () => {
  it('round-trips size and pixels (lossy, close)', async () => {
    const source = image(70, 45);
    const bytes = await avif.encode(source, 85);
    expect(readImageHeader(bytes)).toEqual({ format: 'avif', width: 70, height: 45, decodesInStrips: false, mayHaveAlpha: true });
    const decoded = await avif.decode(bytes);
    expect([decoded.width, decoded.height]).toEqual([70, 45]);
    expect(meanAbsoluteError(source, decoded)).toBeLessThan(4);
  });

  it('keeps graded alpha', async () => {
    const source = image(40, 30, (x) => 40 + x * 5);
    const decoded = await avif.decode(await avif.encode(source, 85));
    expect(meanAbsoluteError(source, decoded, 3)).toBeLessThan(3);
    expect(new Set(decoded.data.filter((_, i) => i % 4 === 3)).size).toBeGreaterThan(10);
  });

  it('makes smaller files at lower quality', async () => {
    const source = image(96, 64);
    const low = await avif.encode(source, 20);
    const high = await avif.encode(source, 95);
    expect(low.byteLength).toBeLessThan(high.byteLength);
  });

  it('refuses bytes that are not an AVIF image', async () => {
    await expect(avif.decode(new Uint8Array([0, 0, 0, 12, 102, 116, 121, 112, 97, 118, 105, 102]))).rejects.toThrow(MalformedImageError);
  });
});

describe('avifQuality', () => {
  it("maps the service scale onto libavif's: 1..80 onto 1..50, 80..100 onto 50..100", () => {
    expect([1, 40, 80, 85, 90, 100].map(avifQuality)).toEqual([1, 25, 50, 63, 75, 100]);
  });

  it('is monotonic over 1..100', () => {
    const mapped = Array.from({ length: 100 }, (_, i) => avifQuality(i + 1));
    expect(mapped.every((value, i) => i === 0 || value >= mapped[i - 1]!)).toBe(true);
  });
});
