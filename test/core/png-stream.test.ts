import { decode } from 'fast-png';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crc32 } from '../../src/codec/crc32';
import { MalformedImageError, UnsupportedImageError } from '../../src/codec/errors';
import { decodePng } from '../../src/codec/png';
import { decodePngBands } from '../../src/codec/png-decoder';
import { encodePngBands } from '../../src/codec/png-encoder';
import { bandsOf, collectBands, type BandedImage, type RgbaBand } from '../../src/core/bands';
import type { RgbaImage } from '../../src/core/image';
import { concat, crc32 as referenceCrc32, deflate, ihdr, pngFile, rawPng, type PngChunk } from './png-writer';

/** Expects equal bytes, reporting the first difference (much faster than toEqual on megabytes). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  const at = actual.findIndex((v, i) => v !== expected[i]);
  expect(at === -1 ? 'equal' : `differ at byte ${at}: ${actual[at]} vs ${expected[at]}`).toBe('equal');
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const iend: PngChunk = { type: 'IEND', data: new Uint8Array(0) };

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Packs samples (`sample(x, y, c)`, 0..2^depth-1) into unfiltered scanlines of any depth, big-endian, MSB first. */
function packedRows(width: number, height: number, depth: number, channels: number, sample: (x: number, y: number, c: number) => number): Uint8Array[] {
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const row = new Uint8Array(rowBytes);
    let bit = 0;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++, bit += depth) {
        const value = sample(x, y, c);
        if (depth === 16) {
          row[bit >> 3] = value >> 8;
          row[(bit >> 3) + 1] = value & 0xff;
        } else {
          row[bit >> 3]! |= value << (8 - depth - (bit & 7));
        }
      }
    }
    rows.push(row);
  }
  return rows;
}

/** A reference filter (PNG spec 9.2), independent of the encoder's: `filter(y)` picks each row's type. */
function filtered(rows: readonly Uint8Array[], bpp: number, filter: (y: number) => number): Uint8Array {
  const out: number[] = [];
  rows.forEach((row, y) => {
    const type = filter(y);
    const up = y > 0 ? rows[y - 1]! : new Uint8Array(row.length);
    out.push(type);
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = up[i]!;
      const c = i >= bpp ? up[i - bpp]! : 0;
      const p = a + b - c;
      const predictor = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c,
      ][type]!;
      out.push((row[i]! - predictor) & 0xff);
    }
  });
  return Uint8Array.from(out);
}

/** `bytes` cut into `count` roughly equal IDAT chunks. */
function idatChunks(bytes: Uint8Array, count: number): PngChunk[] {
  const size = Math.ceil(bytes.length / count);
  const chunks: PngChunk[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push({ type: 'IDAT', data: bytes.subarray(offset, offset + size) });
  return chunks;
}

interface Case {
  readonly colourType: number;
  readonly depth: number;
  readonly width: number;
  readonly height: number;
  readonly trns?: 'partial' | 'opaque';
  readonly filter?: number;
  readonly idats: number;
  readonly rows?: number;
}

const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const SIZES = [
  [1, 1],
  [3, 5],
  [37, 19],
] as const;

const cases: Case[] = [];
for (const [type, depths] of Object.entries(DEPTHS)) {
  const colourType = Number(type);
  for (const depth of depths) {
    for (const [width, height] of SIZES) {
      const trnsOptions = colourType === 4 || colourType === 6 ? [undefined] : ([undefined, 'partial', 'opaque'] as const);
      for (const trns of trnsOptions)
        cases.push({ colourType, depth, width, height, trns, idats: width * height > 50 ? 3 : 1, rows: width === 37 ? 4 : undefined });
    }
    for (let filter = 0; filter < 5; filter++) cases.push({ colourType, depth, width: 37, height: 19, filter, idats: 2 });
  }
}

/** The PNG of a case, and the samples it holds (for the sub-byte grey reference). */
async function casePng(
  { colourType, depth, width, height, trns, filter, idats }: Case,
  seed: number,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; plain: Uint8Array<ArrayBuffer>; samples: number[][] }> {
  const next = random(seed);
  const channels = CHANNELS[colourType]!;
  const max = (1 << depth) - 1;
  const colours = colourType === 3 ? Math.min(max + 1, 7) : 0; // depth 4 and 8 palettes are shorter than their index range
  const samples: number[][] = [];
  const rows = packedRows(width, height, depth, channels, (x, y, c) => {
    // A palette index past a short palette is allowed too (decodes opaque black), so use the full range.
    const value = Math.floor(next() * (max + 1));
    samples[y * width + x] ??= [];
    samples[y * width + x]![c] = value;
    return value;
  });
  const bpp = Math.max(1, (channels * depth) >> 3);
  const data = filtered(rows, bpp, (y) => filter ?? (y + seed) % 5);
  const before: PngChunk[] = [];
  if (colourType === 3) before.push({ type: 'PLTE', data: Uint8Array.from({ length: colours * 3 }, () => Math.floor(next() * 256)) });
  if (trns === 'partial') {
    if (colourType === 3) before.push({ type: 'tRNS', data: Uint8Array.from({ length: Math.max(1, colours - 2) }, (_, i) => (i * 97) & 255) });
    else before.push({ type: 'tRNS', data: Uint8Array.from({ length: colourType === 0 ? 2 : 6 }, (_, i) => (i % 2 ? 1 : 0)) });
  } else if (trns === 'opaque') {
    if (colourType === 3) before.push({ type: 'tRNS', data: new Uint8Array(colours).fill(255) });
    else before.push({ type: 'tRNS', data: new Uint8Array(colourType === 0 ? 2 : 6).fill(255) });
  }
  const compressed = await deflate(data);
  const bytes = pngFile([ihdr(width, height, depth, colourType), ...before, ...idatChunks(compressed, idats), iend]);
  const plain = pngFile([ihdr(width, height, depth, colourType), ...before.filter(({ type }) => type !== 'tRNS'), ...idatChunks(compressed, idats), iend]);
  return { bytes, plain, samples };
}

/**
 * What the image should decode to. decodePng is the reference, with two exceptions where it is
 * wrong. Grey below 8 bits: fast-png 8.0.0 keeps such samples packed and decodePng reads the packed
 * bytes as samples; the reference scales each sample by 255 / (2^depth - 1), as it meant to. Grey
 * or RGB with a tRNS chunk: fast-png rejects a valid one on images of fewer pixels than tRNS has
 * bytes / 2 (1x1 RGB), so the reference is the same PNG without tRNS, its alpha then set from the
 * samples: 0 where every sample equals the tRNS colour's (compared at the image's depth).
 */
function expected(bytes: Uint8Array, plain: Uint8Array, c: Case, samples: number[][]): RgbaImage {
  const keyed = c.colourType === 0 || c.colourType === 2;
  const reference = c.colourType !== 0 || c.depth >= 8 ? decodePng(keyed ? plain : bytes) : greyReference(c, samples);
  if (keyed && c.trns !== undefined) {
    const key = c.trns === 'partial' ? 1 : 0xffff; // casePng's tRNS: samples of 0x0001, or of 0xffff
    samples.forEach((pixel, p) => {
      if (pixel.every((sample) => sample === key)) reference.data[p * 4 + 3] = 0;
    });
  }
  return reference;
}

function greyReference(c: Case, samples: number[][]): RgbaImage {
  const data = new Uint8Array(c.width * c.height * 4);
  samples.forEach(([v], p) => {
    data.fill(Math.round((v! * 255) / ((1 << c.depth) - 1)), p * 4, p * 4 + 3);
    data[p * 4 + 3] = 255;
  });
  return { width: c.width, height: c.height, data };
}

async function collectWithBands(image: BandedImage): Promise<{ whole: RgbaImage; heights: number[] }> {
  const heights: number[] = [];
  const bands = image.bands;
  const observed: BandedImage = {
    ...image,
    bands: (async function* () {
      for await (const band of bands) {
        heights.push(band.height);
        yield band;
      }
    })(),
  };
  return { whole: await collectBands(observed), heights };
}

describe('decodePngBands', () => {
  it.each(
    cases.map(
      (c, i) =>
        [
          `type ${c.colourType}, ${c.depth}-bit, ${c.width}x${c.height}, tRNS ${c.trns ?? 'none'}, filter ${c.filter ?? 'mixed'}, ${c.idats} IDAT`,
          c,
          i,
        ] as const,
    ),
  )('decodes %s like decodePng', async (_, c, seed) => {
    const { bytes, plain, samples } = await casePng(c, seed + 1);
    const reference = expected(bytes, plain, c, samples);
    if (c.trns && (c.colourType === 0 || c.colourType === 2) && c.depth >= 8 && c.width * c.height > 3) expectSameBytes(decodePng(bytes).data, reference.data);
    const image = decodePngBands(bytes, c.rows);
    expect([image.width, image.height]).toEqual([c.width, c.height]);
    const { whole, heights } = await collectWithBands(image);
    expectSameBytes(whole.data, reference.data);
    const rows = c.rows ?? 32;
    expect(heights).toEqual(Array.from({ length: Math.ceil(c.height / rows) }, (_, i) => Math.min(rows, c.height - i * rows)));
    const allOpaque = reference.data.every((v, i) => i % 4 !== 3 || v === 255);
    if (image.opaque) expect(allOpaque).toBe(true);
    // Grey and RGB are opaque without tRNS, as is a palette whose tRNS holds only 255s; a grey or RGB
    // tRNS names a colour that may occur, whatever its value.
    const keyed = c.colourType === 0 || c.colourType === 2;
    expect(image.opaque).toBe(keyed ? c.trns === undefined : c.colourType === 3 ? c.trns !== 'partial' : image.opaque);
  });

  it('makes the one colour a grey or RGB tRNS names transparent, compared at the full depth, as decodePng does', async () => {
    const rgb = (pixels: number[][], depth: 8 | 16, key: number[]) => {
      const row = [0, ...pixels.flatMap((pixel) => pixel.flatMap((v) => (depth === 16 ? [v >> 8, v & 0xff] : [v])))];
      const trns = Uint8Array.from(key.flatMap((v) => [v >> 8, v & 0xff]));
      return deflate(Uint8Array.from(row)).then((data) =>
        pngFile([ihdr(pixels.length, 1, depth, pixels[0]!.length === 1 ? 0 : 2), { type: 'tRNS', data: trns }, { type: 'IDAT', data }, iend]),
      );
    };
    const cases = [
      {
        bytes: await rgb(
          [
            [1, 1, 1],
            [1, 1, 2],
            [0, 0, 0],
            [1, 1, 1],
          ],
          8,
          [1, 1, 1],
        ),
        alpha: [0, 255, 255, 0],
      },
      // 16-bit: 0x0102 is transparent, 0x0103 (the same high byte, so the same 8-bit level) is not.
      { bytes: await rgb([[0x0102], [0x0103], [0x0102], [0]], 16, [0x0102]), alpha: [0, 255, 0, 255] },
    ];
    for (const { bytes, alpha } of cases) {
      const image = decodePngBands(bytes);
      expect(image.opaque).toBe(false);
      const { data } = await collectBands(image);
      expect([3, 7, 11, 15].map((i) => data[i])).toEqual(alpha);
      expectSameBytes(decodePng(bytes).data, data);
    }
  });

  it('covers every filter type and colour type in the table', () => {
    expect(new Set(cases.map((c) => c.filter).filter((f) => f !== undefined))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(cases.length).toBeGreaterThan(100);
  });

  it('decodes a 1-bit grey image to black and white (decodePng reads its packed bytes as samples)', async () => {
    const row = Uint8Array.of(0, 0b10100000); // filter 0, pixels 1 0 1
    const bytes = pngFile([ihdr(3, 1, 1, 0), { type: 'IDAT', data: await deflate(row) }, iend]);
    const { data } = await collectBands(decodePngBands(bytes));
    expect([...data]).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('ignores a suggested palette on an RGB image (decodePng wrongly applies it)', async () => {
    const plain = await rawPng(37, 19, { colourType: 2 });
    const suggested = await rawPng(37, 19, { colourType: 2, before: [{ type: 'PLTE', data: Uint8Array.of(1, 2, 3, 4, 5, 6) }] });
    const image = decodePngBands(suggested);
    expect(image.opaque).toBe(true);
    expectSameBytes((await collectBands(image)).data, decodePng(plain).data);
  });

  it('decodes the output of the streaming encoder', async () => {
    const image = photo(123, 45, false, 9);
    const bytes = concat(await collect(encodePngBands(bandsOf(image, false, 10))));
    expectSameBytes((await collectBands(decodePngBands(bytes, 16))).data, image.data);
  });

  it('throws UnsupportedImageError for an interlaced PNG', async () => {
    const bytes = await rawPng(9, 7, { interlace: 1 });
    expect(() => decodePngBands(bytes)).toThrow(UnsupportedImageError);
    expect(() => decodePngBands(bytes)).toThrow(/interlaced/);
  });

  it.each([
    ['a chunk running past the end', async () => (await rawPng(8, 8)).slice(0, -20)],
    ['no IHDR', async () => pngFile([{ type: 'IDAT', data: await deflate(new Uint8Array(8)) }, iend])],
    ['no image data', async () => pngFile([ihdr(2, 2, 8, 2), iend])],
    ['colour type 5', async () => pngFile([ihdr(2, 2, 8, 5), { type: 'IDAT', data: await deflate(new Uint8Array(8)) }, iend])],
    ['4-bit RGB', async () => rawPngOfDepth(2, 4)],
    ['16-bit palette', async () => rawPngOfDepth(3, 16)],
    ['3-bit grey', async () => rawPngOfDepth(0, 3)],
    ['a palette PNG without PLTE', async () => rawPngOfDepth(3, 8)],
    ['a bad signature', async () => Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])],
    ['tRNS on RGBA', async () => rawPng(4, 4, { colourType: 6, before: [{ type: 'tRNS', data: new Uint8Array(6) }] })],
    ['a zero width', async () => pngFile([ihdr(0, 2, 8, 2), { type: 'IDAT', data: await deflate(new Uint8Array(2)) }, iend])],
  ])('throws MalformedImageError up front for %s', async (_, make) => {
    const bytes = await make();
    expect(() => decodePngBands(bytes)).toThrow(MalformedImageError);
  });

  it.each([
    [
      'zlib data cut in half',
      async () => {
        const data = await deflate(new Uint8Array(20 * 31).map((_, i) => (i % 31 === 0 ? 0 : (i * 7) & 255)));
        return pngFile([ihdr(10, 20, 8, 2), { type: 'IDAT', data: data.subarray(0, data.length >> 1) }, iend]);
      },
      /does not inflate/,
    ],
    [
      'complete zlib data one row short',
      async () => {
        return pngFile([ihdr(10, 20, 8, 2), { type: 'IDAT', data: await deflate(new Uint8Array(19 * 31)) }, iend]);
      },
      /ends in row 19 of 20/,
    ],
    [
      'one byte too many',
      async () => {
        return pngFile([ihdr(10, 20, 8, 2), { type: 'IDAT', data: await deflate(new Uint8Array(20 * 31 + 1)) }, iend]);
      },
      /inflates past the 620 bytes/,
    ],
    [
      'filter type 5',
      async () => {
        const rows = new Uint8Array(20 * 31);
        rows[5 * 31] = 5;
        return pngFile([ihdr(10, 20, 8, 2), { type: 'IDAT', data: await deflate(rows) }, iend]);
      },
      /row 5 has filter type 5/,
    ],
  ] as const)('rejects the iteration with MalformedImageError for %s', async (_, make, message) => {
    const image = decodePngBands(await make());
    const failure = collectBands(image);
    await expect(failure).rejects.toThrow(MalformedImageError);
    await expect(failure).rejects.toThrow(message);
  });

  describe('a decompression bomb', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('is rejected without inflating it all', async () => {
      // 16 MiB of zeros deflate to ~16 KB; the header allows 16 * (1 + 16 * 3) = 784 bytes.
      const idat = await deflate(new Uint8Array(16 << 20));
      expect(idat.length).toBeLessThan(20_000);
      const bomb = pngFile([ihdr(16, 16, 8, 2), { type: 'IDAT', data: idat }, iend]);
      let inflated = 0;
      const Native = DecompressionStream;
      // Counts the inflated bytes the decoder pulls out of its DecompressionStream.
      vi.stubGlobal(
        'DecompressionStream',
        class {
          readonly writable: DecompressionStream['writable'];
          readonly readable: DecompressionStream['readable'];
          constructor(format: ConstructorParameters<typeof DecompressionStream>[0]) {
            const native = new Native(format);
            this.writable = native.writable;
            this.readable = native.readable.pipeThrough(
              new TransformStream({
                transform(chunk, controller) {
                  inflated += chunk.byteLength;
                  controller.enqueue(chunk);
                },
              }),
            );
          }
        },
      );
      const image = decodePngBands(bomb);
      await expect(collectBands(image)).rejects.toThrow(new MalformedImageError('PNG image data inflates past the 784 bytes its header allows'));
      expect(inflated).toBeGreaterThan(784);
      expect(inflated).toBeLessThan(1 << 20); // of 16 MiB
    });
  });

  it('stops cleanly when the consumer abandons the bands', async () => {
    const image = photo(64, 200, true, 3);
    const bytes = concat(await collect(encodePngBands(bandsOf(image, true, 64))));
    const decoded = decodePngBands(bytes, 16);
    const iterator = decoded.bands[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect((first.value as RgbaBand).height).toBe(16);
    await expect(iterator.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

/** A smooth, noisy, photograph-like image (translucent unless `opaque`). */
function photo(width: number, height: number, opaque: boolean, seed: number): RgbaImage {
  const next = random(seed);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const smooth = 128 + 90 * Math.sin((x * (c + 1)) / 37 + y / 23) * Math.cos((y * (c + 2)) / 41 - x / 53);
        data[o + c] = Math.max(0, Math.min(255, Math.round(smooth + (next() - 0.5) * 12)));
      }
      data[o + 3] = opaque ? 255 : (x * 3 + y * 5) & 255;
    }
  }
  return { width, height, data };
}

async function collect(chunks: AsyncIterable<Uint8Array<ArrayBuffer>>): Promise<Uint8Array<ArrayBuffer>[]> {
  const out: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** A banded image whose producer reuses one buffer, scribbling over it as soon as the next band is asked for. */
function reusingBands(image: RgbaImage, opaque: boolean, rows: number): BandedImage {
  const { width, height } = image;
  const buffer = new Uint8Array(width * rows * 4);
  async function* bands(): AsyncGenerator<RgbaBand> {
    for (let y = 0; y < height; y += rows) {
      const h = Math.min(rows, height - y);
      buffer.set(image.data.subarray(y * width * 4, (y + h) * width * 4));
      yield { y, width, height: h, data: buffer.subarray(0, h * width * 4) };
      buffer.fill(0xaa);
    }
  }
  return { width, height, opaque, bands: bands() };
}

describe('encodePngBands', () => {
  it.each([
    ['opaque RGB', true],
    ['translucent RGBA', false],
  ] as const)('round-trips %s through decodePng whatever the band height', async (_, opaque) => {
    const image = photo(97, 131, opaque, 5);
    const outputs: Uint8Array[] = [];
    for (const rows of [1, 7, 64]) {
      const chunks = await collect(encodePngBands(bandsOf(image, opaque, rows)));
      const bytes = concat(chunks);
      const decoded = decodePng(bytes);
      expectSameBytes(decoded.data, image.data);
      const png = decode(bytes, { checkCrc: true });
      expect([png.channels, png.depth]).toEqual([opaque ? 3 : 4, 8]);
      outputs.push(bytes);
    }
    // Deflate's output does not depend on how its input was split: only IDAT boundaries may differ.
    const payloads = outputs.map((bytes) => idatPayload(bytes));
    expectSameBytes(payloads[1]!, payloads[0]!);
    expectSameBytes(payloads[2]!, payloads[0]!);
  });

  it('yields a 512x512 image in several fresh chunks, signature and IHDR first, with valid CRCs', async () => {
    const image = photo(512, 512, false, 11);
    const chunks = await collect(encodePngBands(bandsOf(image, false, 64)));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]!.length).toBe(8 + 25);
    expect([...chunks[0]!.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const chunk of chunks) {
      expect(chunk.buffer).toBeInstanceOf(ArrayBuffer);
      expect(chunk.byteOffset).toBe(0);
    }
    expect(new Set(chunks.map((chunk) => chunk.buffer)).size).toBe(chunks.length);
    const bytes = concat(chunks);
    expectSameBytes(decodePng(bytes).data, image.data);
    const types = pngChunks(bytes).map(({ type, crcOk }) => {
      expect(crcOk).toBe(true);
      return type;
    });
    expect(types[0]).toBe('IHDR');
    expect(types.at(-1)).toBe('IEND');
    expect(types.filter((t) => t === 'IDAT').length).toBeGreaterThan(1);
  });

  it('copies what it keeps of a band whose buffer the producer reuses', async () => {
    const image = photo(50, 40, false, 2);
    const bytes = concat(await collect(encodePngBands(reusingBands(image, false, 3))));
    expectSameBytes(decodePng(bytes).data, image.data);
  });

  it('encodes a 1x1 image', async () => {
    const image = { width: 1, height: 1, data: Uint8Array.of(10, 20, 30, 255) };
    expectSameBytes(decodePng(concat(await collect(encodePngBands(bandsOf(image, true))))).data, image.data);
  });

  it('yields the signature and IHDR before pulling a band', async () => {
    let pulled = false;
    const image: BandedImage = {
      width: 4,
      height: 4,
      opaque: true,
      bands: (async function* () {
        pulled = true;
        yield { y: 0, width: 4, height: 4, data: new Uint8Array(64).fill(255) };
      })(),
    };
    const iterator = encodePngBands(image);
    const first = await iterator.next();
    expect(first.value?.length).toBe(33);
    expect(pulled).toBe(false);
    await iterator.return(undefined);
  });

  it('can be abandoned early without hanging or throwing, and releases the band source', async () => {
    const image = photo(512, 512, false, 4);
    let released = false;
    const inner = bandsOf(image, false, 16).bands;
    const source: BandedImage = {
      width: 512,
      height: 512,
      opaque: false,
      bands: (async function* () {
        try {
          yield* inner;
        } finally {
          released = true;
        }
      })(),
    };
    const iterator = encodePngBands(source);
    await iterator.next(); // header
    await iterator.next(); // the first IDAT: bands are being pulled
    await expect(iterator.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    expect(released).toBe(true);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    // Abandoned right after the header too.
    const early = encodePngBands(bandsOf(image, false));
    await early.next();
    await expect(early.return(undefined)).resolves.toEqual({ done: true, value: undefined });
  });

  it('rejects bands that do not cover the image, and passes on the source error', async () => {
    const image = photo(8, 8, true, 1);
    const short: BandedImage = { ...bandsOf(image, true, 4), height: 9 };
    await expect(collect(encodePngBands(short))).rejects.toThrow(RangeError);
    const failing: BandedImage = {
      width: 8,
      height: 8,
      opaque: true,
      bands: (async function* () {
        yield { y: 0, width: 8, height: 4, data: image.data.subarray(0, 128) };
        throw new Error('upscaler failed');
      })(),
    };
    await expect(collect(encodePngBands(failing))).rejects.toThrow('upscaler failed');
  });
});

describe('crc32', () => {
  it('matches the test writer and continues over split input', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 255);
    for (const n of [0, 1, 7, 8, 9, 63, 1000]) expect(crc32(bytes.subarray(0, n))).toBe(referenceCrc32(bytes.subarray(0, n)));
    expect(crc32(bytes.subarray(413), crc32(bytes.subarray(0, 413)))).toBe(referenceCrc32(bytes));
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

function pngChunks(bytes: Uint8Array): { type: string; crcOk: boolean }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { type: string; crcOk: boolean }[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    out.push({ type, crcOk: view.getUint32(offset + 8 + length) === referenceCrc32(bytes.subarray(offset + 4, offset + 8 + length)) });
    offset += 12 + length;
  }
  return out;
}

/** The concatenated IDAT data of a PNG. */
function idatPayload(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = view.getUint32(offset);
    if (String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  return concat(parts);
}

/** A 2x2 PNG of colour type `colourType` claiming `depth` bits (zero samples; no PLTE). */
async function rawPngOfDepth(colourType: number, depth: number): Promise<Uint8Array<ArrayBuffer>> {
  const rowBytes = Math.ceil((2 * CHANNELS[colourType]! * depth) / 8);
  return pngFile([ihdr(2, 2, depth, colourType), { type: 'IDAT', data: await deflate(new Uint8Array(2 * (rowBytes + 1))) }, iend]);
}
