import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MalformedImageError, UnsupportedImageError } from '../../src/codec/errors';
import { decodeJpeg, encodeJpeg } from '../../src/codec/jpeg';
import { decodeJpegBands, jpegHeadersEnd, readJpegFrame, scaledJpegSize, type JpegScaleDenominator } from '../../src/codec/jpeg-decoder';
import { checkBand, type BandedImage } from '../../src/core/bands';
import type { StreamedBytes } from '../../src/core/bytes';
import { createRgbaImage, type RgbaImage } from '../../src/core/image';
import { jpegFile, segment } from './jpeg-writer';

const DENOMINATORS: readonly JpegScaleDenominator[] = [1, 2, 4, 8];
const SIZES = [
  [1, 1],
  [17, 9],
  [64, 48],
  [203, 131],
] as const;

/** Smooth gradients, a hard-edged disc and bar, and a little deterministic texture. */
function testImage(width: number, height: number): RgbaImage {
  const image = createRgbaImage(width, height);
  let seed = width * 7919 + height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = ((seed >>> 24) & 15) - 8;
      const inDisc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (Math.min(width, height) * 0.3) ** 2;
      const inBar = x > width * 0.2 && x < width * 0.3;
      const i = (y * width + x) * 4;
      image.data[i] = clamp((x * 255) / Math.max(1, width - 1) + (inDisc ? 90 : 0) + noise);
      image.data[i + 1] = clamp((y * 255) / Math.max(1, height - 1) - (inBar ? 120 : 0) + noise);
      image.data[i + 2] = clamp(128 + 100 * Math.sin((x + 2 * y) / 9) + (inDisc ? -60 : 0));
      image.data[i + 3] = 255;
    }
  }
  return image;
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** Collects the bands, checking the band contract on the way (consecutive, same width, full height). */
async function collect(image: BandedImage): Promise<{ pixels: RgbaImage; bands: number[] }> {
  const pixels = createRgbaImage(image.width, image.height);
  const bands: number[] = [];
  let next = 0;
  for await (const band of image.bands) {
    checkBand(band, image, next);
    pixels.data.set(band.data.subarray(0, band.width * band.height * 4), band.y * image.width * 4);
    bands.push(band.height);
    next = band.y + band.height;
  }
  expect(next).toBe(image.height);
  return { pixels, bands };
}

/** Iterates the bands with the contract checks but keeps none of them. */
async function drain(image: BandedImage): Promise<void> {
  let next = 0;
  for await (const band of image.bands) {
    checkBand(band, image, next);
    next = band.y + band.height;
  }
}

async function decode(bytes: Uint8Array, denominator: JpegScaleDenominator): Promise<RgbaImage> {
  return (await collect(decodeJpegBands(bytes, denominator))).pixels;
}

/**
 * `bytes` as a download delivers it: the head up to the scan's data, then chunks of `chunk` bytes
 * copied into one reused buffer (as a BYOB reader's), counting how many bytes were asked for.
 */
function streamed(bytes: Uint8Array, chunk: number): { file: StreamedBytes; read: () => number } {
  const end = jpegHeadersEnd(bytes)!;
  let read = end;
  async function* rest(): AsyncGenerator<Uint8Array> {
    const reused = new Uint8Array(chunk);
    for (let i = end; i < bytes.length; i += chunk) {
      const part = bytes.subarray(i, i + chunk);
      reused.fill(0xee).set(part);
      read += part.length;
      yield reused.subarray(0, part.length);
    }
  }
  return { file: { head: bytes.subarray(0, end), rest: rest() }, read: () => read };
}

interface Comparison {
  readonly psnr: number;
  readonly maxDifference: number;
}

/** PSNR and largest difference over the first `channels` channels of RGBA pixels against a packed reference. */
function compare(actual: RgbaImage, expected: Uint8Array, channels: number, stride = channels): Comparison {
  let squares = 0;
  let maxDifference = 0;
  const pixels = actual.width * actual.height;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < channels; c++) {
      const difference = actual.data[i * 4 + c]! - expected[i * stride + c]!;
      squares += difference * difference;
      maxDifference = Math.max(maxDifference, Math.abs(difference));
    }
  }
  const mse = squares / (pixels * channels);
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), maxDifference };
}

describe('readJpegFrame and scaledJpegSize', () => {
  it('reports size, components and progressive flag of every variant', () => {
    expect(readJpegFrame(encodeJpeg(testImage(33, 17), 80))).toEqual({ width: 33, height: 17, progressive: false, components: 3 });
    expect(readJpegFrame(jpegFile(24, 16, { components: 1 }))).toEqual({ width: 24, height: 16, progressive: false, components: 1 });
    expect(readJpegFrame(jpegFile(40, 8, { components: 3, progressive: true }))).toEqual({ width: 40, height: 8, progressive: true, components: 3 });
    expect(readJpegFrame(jpegFile(9, 30, { components: 4 }))).toEqual({ width: 9, height: 30, progressive: false, components: 4 });
  });

  it('skips APPn and COM segments before the frame header', () => {
    const app1 = segment(0xe1, [...Buffer.from('Exif\0\0', 'latin1'), ...new Array<number>(300).fill(0xff)]);
    const comment = segment(0xfe, [...Buffer.from('made by hand', 'latin1')]);
    expect(readJpegFrame(jpegFile(24, 16, { components: 3, segments: [app1, comment] })).width).toBe(24);
  });

  it('rejects what is not a JPEG or ends before the frame header', () => {
    expect(() => readJpegFrame(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toThrow(UnsupportedImageError);
    const file = jpegFile(24, 16, { components: 3 });
    const sof = findMarker(file, 0xc0);
    expect(() => readJpegFrame(file.subarray(0, sof + 5))).toThrow(MalformedImageError);
    expect(() => readJpegFrame(file.subarray(0, sof - 1))).toThrow(MalformedImageError);
  });

  it('rounds scaled sizes up, as libjpeg', () => {
    expect(scaledJpegSize({ width: 6000, height: 4000 }, 8)).toEqual({ width: 750, height: 500 });
    expect(scaledJpegSize({ width: 203, height: 131 }, 4)).toEqual({ width: 51, height: 33 });
    expect(scaledJpegSize({ width: 1, height: 1 }, 8)).toEqual({ width: 1, height: 1 });
    expect(scaledJpegSize({ width: 17, height: 9 }, 2)).toEqual({ width: 9, height: 5 });
  });
});

describe('decodeJpegBands against jpeg-js', () => {
  it.each(SIZES)('%ix%i (jpeg-js encoder, 4:4:4) decodes as jpeg-js does', async (width, height) => {
    const bytes = encodeJpeg(testImage(width, height), 90);
    const reference = decodeJpeg(bytes, 1);
    const ours = await decode(bytes, 1);
    const { psnr, maxDifference } = compare(ours, reference.data, 3, 4);
    expect(psnr > 45 || maxDifference <= 3, `PSNR ${psnr.toFixed(1)} dB, max difference ${maxDifference}`).toBe(true);
    expect(ours.data.every((value, i) => i % 4 !== 3 || value === 255)).toBe(true);
  });

  it.each(SIZES)('%ix%i streams one MCU row a band at every scale', async (width, height) => {
    const bytes = encodeJpeg(testImage(width, height), 75);
    for (const denominator of DENOMINATORS) {
      const image = decodeJpegBands(bytes, denominator);
      expect(image).toMatchObject({ ...scaledJpegSize({ width, height }, denominator), opaque: true });
      const { bands } = await collect(image);
      expect(bands.length).toBe(Math.ceil(height / 8)); // 4:4:4: 8-row MCUs
      expect(bands.slice(0, -1).every((rows) => rows === 8 / denominator)).toBe(true);
    }
  });
});

describe('decodeJpegBands on hand-made files', () => {
  /** The flat value of block (bx, by) of component c in jpeg-writer.ts. */
  const blockValue = (bx: number, by: number, c: number): number => (bx * 40 + by * 25 + c * 70) % 256;

  it.each(DENOMINATORS)('decodes flat greyscale blocks exactly at 1/%i', async (denominator) => {
    const image = await decode(jpegFile(37, 21, { components: 1 }), denominator);
    const block = 8 / denominator;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const value = blockValue(Math.floor(x / block), Math.floor(y / block), 0);
        const i = (y * image.width + x) * 4;
        expect([...image.data.subarray(i, i + 4)]).toEqual([value, value, value, 255]);
      }
    }
  });

  it('takes Adobe transform 0 as RGB, without colour conversion', async () => {
    const adobe = segment(0xee, [...Buffer.from('Adobe', 'latin1'), 0, 100, 0, 0, 0, 0, 0]);
    const image = await decode(jpegFile(24, 16, { components: 3, segments: [adobe] }), 1);
    for (const [x, y] of [
      [0, 0],
      [9, 3],
      [23, 15],
    ] as const) {
      const i = (y * 24 + x) * 4;
      const [bx, by] = [x >> 3, y >> 3];
      expect([...image.data.subarray(i, i + 4)]).toEqual([blockValue(bx, by, 0), blockValue(bx, by, 1), blockValue(bx, by, 2), 255]);
    }
  });

  it.each([
    ['progressive', () => jpegFile(24, 16, { components: 3, progressive: true })],
    ['CMYK (Adobe, 4 components)', () => jpegFile(24, 16, { components: 4 })],
    ['12-bit', () => withFrameByte(jpegFile(24, 16, { components: 1 }), 0, 12)],
    ['arithmetic-coded (SOF9)', () => withMarker(jpegFile(24, 16, { components: 3 }), 0xc0, 0xc9)],
    ['lossless (SOF3)', () => withMarker(jpegFile(24, 16, { components: 3 }), 0xc0, 0xc3)],
    ['progressive arithmetic (SOF10)', () => withMarker(jpegFile(24, 16, { components: 3 }), 0xc0, 0xca)],
  ])('throws UnsupportedImageError before any band for %s', (_, make) => {
    const bytes = make();
    expect(readJpegFrame(bytes)).toMatchObject({ width: 24, height: 16 });
    for (const denominator of DENOMINATORS) expect(() => decodeJpegBands(bytes, denominator)).toThrow(UnsupportedImageError);
  });

  it('throws MalformedImageError, during the bands, for a scan that ends early', async () => {
    const bytes = encodeJpeg(testImage(203, 131), 90);
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    for (const denominator of DENOMINATORS) {
      const image = decodeJpegBands(cut, denominator); // the headers are all there
      await expect(collect(image)).rejects.toThrow(MalformedImageError);
    }
    const withEoi = Uint8Array.from([...cut, 0xff, 0xd9]);
    await expect(collect(decodeJpegBands(withEoi, 1))).rejects.toThrow(MalformedImageError);
  });

  it('throws MalformedImageError at once for a file cut inside its headers', () => {
    const bytes = encodeJpeg(testImage(64, 48), 90);
    const sos = findMarker(bytes, 0xda);
    for (const end of [2, 3, 20, sos, sos + 6]) expect(() => decodeJpegBands(bytes.subarray(0, end), 1)).toThrow(MalformedImageError);
  });

  it('fails fast, without allocating for the claimed size, on a 65535x65535 frame with tiny data', async () => {
    const bytes = withFrameSize(jpegFile(16, 16, { components: 3 }), 65535, 65535);
    expect(readJpegFrame(bytes)).toEqual({ width: 65535, height: 65535, progressive: false, components: 3 });
    for (const denominator of [1, 8] as const) {
      const before = process.memoryUsage().arrayBuffers;
      const image = decodeJpegBands(bytes, denominator);
      expect(image).toMatchObject(scaledJpegSize({ width: 65535, height: 65535 }, denominator));
      await expect(drain(image)).rejects.toThrow(MalformedImageError);
      // One MCU row of a 65535-pixel-wide image is a few MB; the whole image would be 16 GB.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    }
  });

  it('throws only MalformedImageError for damaged entropy-coded data', async () => {
    const original = encodeJpeg(testImage(64, 48), 90);
    const data = findMarker(original, 0xda) + 14; // past the 3-component scan header
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let trial = 0; trial < 60; trial++) {
      const bytes = original.slice();
      for (let flips = 1 + random(4); flips > 0; flips--) bytes[data + random(bytes.length - 2 - data)] = random(256);
      for (const denominator of [1, 8] as const) {
        try {
          await collect(decodeJpegBands(bytes, denominator));
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedImageError);
        }
      }
    }
  });
});

describe('decodeJpegBands on a file still arriving', () => {
  it('finds where the scan data starts only once the head holds every segment before it', () => {
    const bytes = encodeJpeg(testImage(64, 48), 90);
    const data = findMarker(bytes, 0xda) + 2 + ((bytes[findMarker(bytes, 0xda) + 2]! << 8) | bytes[findMarker(bytes, 0xda) + 3]!);
    expect(jpegHeadersEnd(bytes)).toBe(data);
    expect(jpegHeadersEnd(bytes.subarray(0, data))).toBe(data);
    for (const end of [0, 1, 2, 20, findMarker(bytes, 0xda), data - 1]) expect(jpegHeadersEnd(bytes.subarray(0, end))).toBeUndefined();
    expect(jpegHeadersEnd(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toBe(0); // not a JPEG: the decoder says so
  });

  it.each([1, 7, 100, 4096])('decodes the same pixels as the whole file, in chunks of %i bytes', async (chunk) => {
    for (const [width, height] of [
      [203, 131],
      [17, 9],
    ] as const) {
      const bytes = encodeJpeg(testImage(width, height), 92);
      for (const denominator of DENOMINATORS) {
        const whole = await decode(bytes, denominator);
        const { pixels } = await collect(decodeJpegBands(streamed(bytes, chunk).file, denominator));
        expect(Buffer.compare(pixels.data, whole.data), `${width}x${height} at 1/${denominator}`).toBe(0);
      }
    }
  });

  it('reads the rest only as far as the rows it has decoded need', async () => {
    const bytes = encodeJpeg(testImage(1024, 768), 90);
    const { file, read } = streamed(bytes, 1024);
    const bands = decodeJpegBands(file, 1).bands[Symbol.asyncIterator]();
    await bands.next();
    // The first of 96 MCU rows, a window's worth (256 KiB) ahead at most.
    expect(read()).toBeLessThan(Math.min(bytes.length / 2, (256 << 10) + 2048));
    while (!(await bands.next()).done);
    expect(read()).toBeGreaterThan(bytes.length - 1024); // the last row needed the last chunk
  });

  it('throws MalformedImageError, during the bands, when the download ends early', async () => {
    const bytes = encodeJpeg(testImage(203, 131), 90);
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    for (const denominator of DENOMINATORS) await expect(collect(decodeJpegBands(streamed(cut, 97).file, denominator))).rejects.toThrow(MalformedImageError);
  });

  it("passes the download's own failure through", async () => {
    const bytes = encodeJpeg(testImage(203, 131), 90);
    const end = jpegHeadersEnd(bytes)!;
    const failure = new Error('origin hung up');
    async function* rest(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(end, end + 500);
      throw failure;
    }
    await expect(collect(decodeJpegBands({ head: bytes.subarray(0, end), rest: rest() }, 1))).rejects.toBe(failure);
  });
});

// ---------------------------------------------------------------------------------------------
// Against libjpeg-turbo's cjpeg and djpeg

const TOOLS_HINT = 'cjpeg/djpeg (libjpeg-turbo) not found: apt-get install libjpeg-turbo-progs';
const haveTools = ['cjpeg', 'djpeg'].every((tool) => spawnSync(tool, ['-version']).error === undefined);
const requireTools = process.env.CI === 'true';
if (!haveTools && !requireTools) console.warn(`skipping the comparisons with libjpeg-turbo: ${TOOLS_HINT}`);
const describeLibjpeg = haveTools || requireTools ? describe : describe.skip;

function tool(name: string, args: readonly string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(name, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${name}: ${result.error.message} (${TOOLS_HINT})`);
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return new Uint8Array(result.stdout);
}

function ppm(image: RgbaImage): Uint8Array {
  const header = Buffer.from(`P6\n${image.width} ${image.height}\n255\n`, 'latin1');
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) rgb.set(image.data.subarray(i * 4, i * 4 + 3), i * 3);
  return Uint8Array.from([...header, ...rgb]);
}

/** djpeg's binary PPM (P6) or PGM (P5) output. */
function parsePnm(bytes: Uint8Array): { width: number; height: number; channels: number; samples: Uint8Array } {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  const match = /^P([56])\s+(\d+)\s+(\d+)\s+255\s/.exec(text);
  if (match === null) throw new Error(`not a binary PNM: ${JSON.stringify(text.slice(0, 16))}`);
  return { width: Number(match[2]), height: Number(match[3]), channels: match[1] === '6' ? 3 : 1, samples: bytes.subarray(match[0].length) };
}

function cjpeg(image: RgbaImage, args: readonly string[]): Uint8Array {
  return tool('cjpeg', args, ppm(image));
}

function djpeg(bytes: Uint8Array, denominator: JpegScaleDenominator): ReturnType<typeof parsePnm> {
  return parsePnm(tool('djpeg', ['-scale', `1/${denominator}`, '-pnm'], bytes));
}

const VARIANTS = [
  ['4:2:0', ['-quality', '90', '-sample', '2x2']],
  ['4:2:2', ['-quality', '90', '-sample', '2x1']],
  ['4:4:0', ['-quality', '90', '-sample', '1x2']],
  ['4:4:4', ['-quality', '90', '-sample', '1x1']],
  ['4:1:1', ['-quality', '90', '-sample', '4x1']],
  ['greyscale', ['-quality', '80', '-grayscale']],
  ['restart every MCU row', ['-quality', '90', '-restart', '1']],
  ['restart every MCU, optimised Huffman tables', ['-quality', '95', '-restart', '1B', '-optimize']],
  ['mixed sampling 2x1,1x2,1x1', ['-quality', '85', '-sample', '2x1,1x2,1x1']],
  ['RGB without colour transform', ['-quality', '90', '-rgb']],
] as const;

describeLibjpeg(`decodeJpegBands against libjpeg-turbo's djpeg -scale 1/d (needs ${TOOLS_HINT.split(':')[1]!.trim()} when missing)`, () => {
  /*
   * Both sides compute the same reduced IDCTs (box averages of the 8x8 IDCT), the same libjpeg
   * "fancy" upsampling and the same fixed-point YCbCr conversion; they differ only in IDCT
   * rounding (libjpeg's integer "islow" against our floating point), a unit in Y, Cb or Cr,
   * which the colour conversion turns into up to 3 in R, G or B. So: over 45 dB, and a small
   * largest difference (6, leaving room for other libjpeg-turbo versions).
   */
  describe.each(VARIANTS)('%s', (_, args) => {
    it.each(SIZES)('%ix%i at 1/1, 1/2, 1/4 and 1/8', async (width, height) => {
      const bytes = cjpeg(testImage(width, height), args);
      for (const denominator of DENOMINATORS) {
        const reference = djpeg(bytes, denominator);
        const ours = await decode(bytes, denominator);
        expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
        const { psnr, maxDifference } = compare(ours, reference.samples, reference.channels);
        expect(psnr, `1/${denominator}: PSNR ${psnr.toFixed(1)} dB`).toBeGreaterThan(45);
        expect(maxDifference, `1/${denominator}: largest difference`).toBeLessThanOrEqual(6);
        if (reference.channels === 1) expect(ours.data.every((value, i) => i % 4 === 3 || value === ours.data[i - (i % 4)])).toBe(true);
      }
    });
  });

  it('streams 4:2:0 in 16-row MCU rows (2 rows a band at 1/8)', async () => {
    const bytes = cjpeg(testImage(203, 131), ['-sample', '2x2']);
    for (const denominator of DENOMINATORS) {
      const { bands } = await collect(decodeJpegBands(bytes, denominator));
      expect(bands.length).toBe(Math.ceil(131 / 16));
      expect(bands.slice(0, -1).every((rows) => rows === 16 / denominator)).toBe(true);
    }
  });

  it('reads the frame of baseline, greyscale and progressive files', () => {
    const image = testImage(64, 48);
    expect(readJpegFrame(cjpeg(image, []))).toEqual({ width: 64, height: 48, progressive: false, components: 3 });
    expect(readJpegFrame(cjpeg(image, ['-grayscale']))).toEqual({ width: 64, height: 48, progressive: false, components: 1 });
    expect(readJpegFrame(cjpeg(image, ['-progressive']))).toEqual({ width: 64, height: 48, progressive: true, components: 3 });
  });

  it('throws UnsupportedImageError for progressive files, before any band', () => {
    const bytes = cjpeg(testImage(64, 48), ['-progressive']);
    for (const denominator of DENOMINATORS) expect(() => decodeJpegBands(bytes, denominator)).toThrow(UnsupportedImageError);
  });

  it.each(['4:2:0', 'restart every MCU, optimised Huffman tables', 'greyscale'] as const)(
    '%s arriving a byte or 7 at a time decodes as the whole file does',
    async (name) => {
      const bytes = cjpeg(testImage(203, 131), VARIANTS.find(([variant]) => variant === name)![1]);
      for (const chunk of [1, 7]) {
        for (const denominator of [1, 4] as const) {
          const whole = await decode(bytes, denominator);
          const { pixels } = await collect(decodeJpegBands(streamed(bytes, chunk).file, denominator));
          expect(Buffer.compare(pixels.data, whole.data), `chunks of ${chunk} at 1/${denominator}`).toBe(0);
        }
      }
    },
  );

  it('throws MalformedImageError for a truncated file and for a wrong restart marker', async () => {
    const bytes = cjpeg(testImage(203, 131), ['-restart', '1']);
    await expect(collect(decodeJpegBands(bytes.subarray(0, bytes.length - 200), 1))).rejects.toThrow(MalformedImageError);
    const swapped = bytes.slice();
    const rst1 = findMarker(swapped, 0xd1);
    swapped[rst1 + 1] = 0xd3;
    await expect(collect(decodeJpegBands(swapped, 4))).rejects.toThrow(MalformedImageError);
  });
});

// ---------------------------------------------------------------------------------------------
// Byte surgery

/** The offset of the first 0xFF `marker` pair. */
function findMarker(bytes: Uint8Array, marker: number): number {
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === marker) return i;
  throw new Error(`no marker 0x${marker.toString(16)}`);
}

function withMarker(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const copy = bytes.slice();
  copy[findMarker(copy, from) + 1] = to;
  return copy;
}

/** Replaces byte `index` of the SOF0 payload (0: precision, 1-2: height, 3-4: width). */
function withFrameByte(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[findMarker(copy, 0xc0) + 4 + index] = value;
  return copy;
}

function withFrameSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const sized = [height >> 8, height & 0xff, width >> 8, width & 0xff].reduce((file, value, i) => withFrameByte(file, 1 + i, value), bytes);
  return sized;
}
