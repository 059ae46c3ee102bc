import { concatBytes } from '../../src/core/bytes';
import { execFileSync, spawnSync } from 'node:child_process';
import { decode } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../src/codec/jpeg';
import { encodeJpegBands } from '../../src/codec/jpeg-encoder';
import { bandsOf, type BandedImage, type RgbaBand } from '../../src/core/bands';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';

// ---- Test images: smooth, hard-edged and noisy content, sizes mostly not multiples of 8 ----

type Painter = (x: number, y: number, random: () => number) => readonly [number, number, number];

/** Deterministic noise (a 32-bit LCG), so that every run codes the same pixels. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function paint(width: number, height: number, painter: Painter, seed = 1): RgbaImage {
  const image = createRgbaImage(width, height);
  const random = lcg(seed);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = painter(x, y, random);
      image.data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return image;
}

const clamp = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));

const gradient: Painter = (x, y) => [clamp(x * 2.1), clamp(y * 1.7), clamp(255 - (x + y) * 0.9)];
/** Saturated colour boundaries that do not fall on block edges: the ringing and chroma test. */
const edges: Painter = (x, y) => ((Math.floor(x / 5) + Math.floor(y / 3)) % 2 === 0 ? [230, 40, 30] : x + y < 60 ? [20, 60, 200] : [250, 250, 245]);
const noisy: Painter = (x, y, random) => {
  const n = (random() - 0.5) * 48;
  return [clamp(x * 1.5 + n), clamp(128 + 90 * Math.sin(x / 6) * Math.cos(y / 5) + n), clamp(y * 2 - n)];
};
const painters = { gradient, edges, noisy } as const;

const SIZES = [
  [1, 1],
  [7, 13],
  [64, 48],
  [250, 130],
] as const;

// ---- Helpers ----

async function chunksOf(image: BandedImage, quality: number): Promise<Uint8Array<ArrayBuffer>[]> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of encodeJpegBands(image, quality)) chunks.push(chunk);
  return chunks;
}

const concat = concatBytes;

async function encodeBanded(image: RgbaImage, quality: number, rows = 64): Promise<Uint8Array> {
  return concat(await chunksOf(bandsOf(image, true, rows), quality));
}

function decodeRgba(jpeg: Uint8Array): RgbaImage {
  const decoded = decode(jpeg, { useTArray: true, formatAsRGBA: true });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

/** PSNR in dB over the RGB samples, or over BT.601 luma when `luma` is set. */
function psnr(a: RgbaImage, b: RgbaImage, luma = false): number {
  let squares = 0;
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (luma) {
      const d = 0.299 * (a.data[i]! - b.data[i]!) + 0.587 * (a.data[i + 1]! - b.data[i + 1]!) + 0.114 * (a.data[i + 2]! - b.data[i + 2]!);
      squares += d * d;
      count++;
    } else {
      for (let c = 0; c < 3; c++) squares += (a.data[i + c]! - b.data[i + c]!) ** 2;
      count += 3;
    }
  }
  return squares === 0 ? Infinity : 10 * Math.log10((255 * 255 * count) / squares);
}

/** The marker segments before the entropy-coded data, SOS included, as [marker, payload]. */
function segments(jpeg: Uint8Array): [number, Uint8Array][] {
  const found: [number, Uint8Array][] = [];
  let offset = 2;
  for (;;) {
    expect(jpeg[offset]).toBe(0xff);
    const marker = jpeg[offset + 1]!;
    const length = (jpeg[offset + 2]! << 8) | jpeg[offset + 3]!;
    found.push([marker, jpeg.subarray(offset + 4, offset + 2 + length)]);
    offset += 2 + length;
    if (marker === 0xda) return found;
  }
}

function payloadOf(jpeg: Uint8Array, marker: number): Uint8Array {
  const found = segments(jpeg).find(([m]) => m === marker);
  if (!found) throw new Error(`no segment ${marker.toString(16)}`);
  return found[1];
}

/** A producer that writes every band into one reused buffer and records how far it has got. */
function reusingBands(image: RgbaImage, rows: number): { banded: BandedImage; produced: () => number } {
  const { width, height } = image;
  let produced = 0;
  async function* bands(): AsyncGenerator<RgbaBand> {
    const buffer = new Uint8Array(width * rows * 4);
    for (let y = 0; y < height; y += rows) {
      const bandHeight = Math.min(rows, height - y);
      buffer.fill(0x55); // what a consumer still holding the last band would see
      buffer.set(image.data.subarray(y * width * 4, (y + bandHeight) * width * 4));
      produced = y + bandHeight;
      yield { y, width, height: bandHeight, data: buffer.subarray(0, width * bandHeight * 4) };
    }
    buffer.fill(0x55);
  }
  return { banded: { width, height, opaque: true, bands: bands() }, produced: () => produced };
}

// ---- Tests ----

describe('encodeJpegBands', () => {
  describe('streams', () => {
    it.each(SIZES)('%ix%i: the same bytes whatever the band height', async (width, height) => {
      const image = paint(width, height, noisy);
      const whole = await encodeBanded(image, 85, height);
      for (const rows of [1, 5, 8, 64]) expect(await encodeBanded(image, 85, rows)).toEqual(whole);
    });

    it.each(SIZES)('%ix%i: headers, then one chunk per MCU row, pulling no more rows than it needs', async (width, height) => {
      const image = paint(width, height, gradient);
      const rows = 5;
      const { banded, produced } = reusingBands(image, rows);
      const chunks: Uint8Array[] = [];
      for await (const chunk of encodeJpegBands(banded, 85)) {
        const mcuRow = chunks.length - 1;
        if (mcuRow < 0) expect(produced()).toBe(0);
        else if ((mcuRow + 1) * 8 <= height) {
          expect(produced()).toBeGreaterThanOrEqual((mcuRow + 1) * 8);
          expect(produced()).toBeLessThan((mcuRow + 1) * 8 + rows);
        } else expect(produced()).toBe(height);
        chunks.push(chunk);
      }
      // The last MCU row goes out with EOI, or, when it is whole, EOI goes out alone after it.
      expect(chunks).toHaveLength(1 + Math.ceil(height / 8) + (height % 8 === 0 ? 1 : 0));
      expect([...chunks[0]!.subarray(0, 2)]).toEqual([0xff, 0xd8]);
      expect([...chunks.at(-1)!.subarray(-2)]).toEqual([0xff, 0xd9]);
      // The first chunk is exactly the headers, up to and including SOS.
      const headerLength = segments(chunks[0]!).reduce((sum, [, payload]) => sum + 4 + payload.length, 2);
      expect(headerLength).toBe(chunks[0]!.length);
      // Rows were copied out of the reused buffer before it was overwritten.
      expect(concat(chunks)).toEqual(await encodeBanded(image, 85));
    });

    it('yields fresh buffers, each its own ArrayBuffer', async () => {
      const chunks = await chunksOf(bandsOf(paint(64, 48, noisy), true, 8), 90);
      for (const chunk of chunks) {
        expect(chunk.buffer).toBeInstanceOf(ArrayBuffer);
        expect(chunk.byteOffset).toBe(0);
        expect(chunk.buffer.byteLength).toBe(chunk.length);
      }
      expect(new Set(chunks.map((chunk) => chunk.buffer)).size).toBe(chunks.length);
    });

    it('ignores alpha', async () => {
      const opaque = paint(37, 21, edges);
      const translucent = { ...opaque, data: opaque.data.map((value, i) => (i % 4 === 3 ? (i * 7) % 256 : value)) };
      expect(await encodeBanded(translucent, 85)).toEqual(await encodeBanded(opaque, 85));
    });
  });

  describe('writes a standard baseline file', () => {
    it.each([1, 10, 50, 75, 85, 100])('quality %i: the same SOF0, DQT, DHT and SOS as jpeg-js', async (quality) => {
      const image = paint(33, 17, gradient);
      const ours = await encodeBanded(image, quality);
      const theirs = encodeJpeg(image, quality);
      for (const marker of [0xc0, 0xdb, 0xc4, 0xda]) expect(payloadOf(ours, marker)).toEqual(payloadOf(theirs, marker));
      expect(segments(ours).map(([marker]) => marker)).toEqual([0xe0, 0xdb, 0xc0, 0xc4, 0xda]);
    });

    it.each([
      [1, 255, 255],
      [10, 80, 255],
      [50, 16, 99],
      [75, 8, 50],
      [100, 1, 1],
    ])('quality %i scales the quantisers as libjpeg does (luma DC step %i, last chroma step %i)', async (quality, lumaDc, chromaLast) => {
      const dqt = payloadOf(await encodeBanded(paint(8, 8, gradient), quality), 0xdb);
      expect(dqt[0]).toBe(0); // table 0, 8-bit
      expect(dqt[1]).toBe(lumaDc);
      expect(dqt[65]).toBe(1); // table 1, 8-bit
      expect(dqt[129]).toBe(chromaLast);
    });

    it('ends the entropy-coded data on a byte padded with 1s, stuffing every 0xFF', async () => {
      const jpeg = await encodeBanded(paint(250, 130, noisy), 95);
      const scan = jpeg.subarray(
        segments(jpeg).reduce((sum, [, payload]) => sum + 4 + payload.length, 2),
        -2,
      );
      for (let i = 0; i < scan.length; i++) if (scan[i] === 0xff) expect(scan[i + 1]).toBe(0x00);
      expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);
    });
  });

  describe('matches jpeg-js fidelity at the same quality', () => {
    // Images of a few blocks are left out: there one coefficient rounding the other way moves PSNR
    // by half a dB in either direction (flat colours favour jpeg-js, which rounds YCbCr to
    // integers as the decoder does; smooth content favours our unrounded conversion).
    const cases = SIZES.filter(([width]) => width >= 64).flatMap(([width, height]) =>
      Object.keys(painters).flatMap((name) => [50, 85, 95].map((quality) => [width, height, name as keyof typeof painters, quality] as const)),
    );

    it.each(cases)('%ix%i %s at quality %i', async (width, height, name, quality) => {
      const image = paint(width, height, painters[name], width * height);
      const ours = await encodeBanded(image, quality, 5);
      const theirs = encodeJpeg(image, quality);
      const oursDecoded = decodeRgba(ours);
      const theirsDecoded = decodeRgba(theirs);
      expect(psnr(oursDecoded, image, true)).toBeGreaterThanOrEqual(psnr(theirsDecoded, image, true) - 0.3);
      expect(psnr(oursDecoded, image)).toBeGreaterThanOrEqual(psnr(theirsDecoded, image) - 0.3);
      expect(ours.length / theirs.length).toBeGreaterThan(0.85);
      expect(ours.length / theirs.length).toBeLessThan(1.15);
      // Same tables, same transform: the two files differ only where a coefficient rounds differently.
      expect(psnr(oursDecoded, theirsDecoded)).toBeGreaterThan(quality >= 85 ? 35 : 30);
    });
  });

  describe('decodes in libjpeg-turbo', () => {
    const djpegMissing = spawnSync('djpeg', ['-version']).error !== undefined;
    const install = 'djpeg (libjpeg-turbo) is not on PATH: apt-get install libjpeg-turbo-progs installs it';

    /** Decodes with djpeg, which exits non-zero on any warning (a corrupt or truncated stream). */
    function djpeg(jpeg: Uint8Array): RgbaImage {
      const ppm = execFileSync('djpeg', ['-pnm'], { input: jpeg, stdio: ['pipe', 'pipe', 'pipe'] });
      const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 32).toString('latin1'));
      if (!header) throw new Error('djpeg wrote no binary RGB PPM');
      const image = createRgbaImage(Number(header[1]), Number(header[2]));
      const rgb = ppm.subarray(header[0].length);
      expect(rgb.length).toBe(image.width * image.height * 3);
      for (let p = 0; p < image.width * image.height; p++) image.data.set([rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!, 255], p * 4);
      return image;
    }

    it.for(SIZES.flatMap(([width, height]) => [50, 95, 100].map((quality) => [width, height, quality] as const)))(
      '%ix%i at quality %i, without warnings, as jpeg-js decodes it',
      async ([width, height, quality], context) => {
        if (djpegMissing) {
          if (process.env.CI === 'true') throw new Error(install);
          context.skip(install);
        }
        const jpeg = await encodeBanded(paint(width, height, noisy), quality, 8);
        const reference = djpeg(jpeg);
        const decoded = decodeRgba(jpeg);
        expect([reference.width, reference.height]).toEqual([width, height]);
        let total = 0;
        let worst = 0;
        for (let i = 0; i < decoded.data.length; i++) {
          const difference = Math.abs(reference.data[i]! - decoded.data[i]!);
          total += difference;
          worst = Math.max(worst, difference);
        }
        // The decoders' IDCTs and colour conversions round differently; nothing else may differ.
        expect(total / decoded.data.length).toBeLessThan(1);
        expect(worst).toBeLessThanOrEqual(4);
      },
    );
  });

  describe('rejects', () => {
    const image = bandsOf(paint(8, 8, gradient), true);

    it.each([0, 101, 50.5, Number.NaN, -1])('quality %s, when called', (quality) => {
      expect(() => encodeJpegBands(image, quality)).toThrow(RangeError);
    });

    it.each([
      [0, 8],
      [8, 0],
      [65536, 1],
      [1, 65536],
      [1.5, 8],
    ])('a %sx%s image, when called', (width, height) => {
      expect(() => encodeJpegBands({ width, height, opaque: true, bands: bandsOf(createRgbaImage(1, 1), true).bands }, 85)).toThrow(RangeError);
    });

    it('bands that skip rows', async () => {
      const source = paint(8, 16, gradient);
      async function* skipping(): AsyncGenerator<RgbaBand> {
        yield { y: 0, width: 8, height: 4, data: source.data.subarray(0, 8 * 4 * 4) };
        yield { y: 8, width: 8, height: 8, data: source.data.subarray(8 * 8 * 4) };
      }
      await expect(chunksOf({ width: 8, height: 16, opaque: true, bands: skipping() }, 85)).rejects.toThrow(RangeError);
    });

    it('bands that stop short of the last row', async () => {
      const { bands } = bandsOf(paint(8, 12, gradient), true, 4);
      await expect(chunksOf({ width: 8, height: 16, opaque: true, bands }, 85)).rejects.toThrow(/bands ended at row 12 of 16/);
    });
  });
});
