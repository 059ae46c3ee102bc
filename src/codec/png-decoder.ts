import type { BandedImage, RgbaBand } from '../core/bands';
import { releaseBuffer } from '../core/bytes';
import { feedInSlices } from './bounded-inflate';
import { MalformedImageError, UnsupportedImageError } from './errors';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Rows per band. */
const BAND_ROWS = 32;

/** Bit depths each colour type allows (PNG spec 11.2.2). */
const DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Samples per pixel of each colour type. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Writes `width` RGBA pixels of an unfiltered scanline at `out[at]`. */
type RowConverter = (line: Uint8Array, out: Uint8Array, at: number) => void;

/**
 * Streams a non-interlaced PNG of any colour type and depth (1, 2, 4, 8, 16) as RGBA bands,
 * inflating and unfiltering row by row.
 *
 * The chunks are read, and IHDR, PLTE and tRNS parsed, now: a damaged layout throws
 * {@link MalformedImageError} here, an Adam7-interlaced image {@link UnsupportedImageError}
 * (decode those whole). The IDAT stream is inflated (`DecompressionStream('deflate')`) as
 * `bands` is iterated, `rows` rows a band, holding one band of RGBA, two scanlines and one inflated
 * chunk: truncated or damaged data, unknown filter types, and data that inflates past the
 * header's scanline bytes (a decompression bomb: inflation stops right there) reject the iteration
 * with {@link MalformedImageError}. The whole stream, zlib's Adler-32 included, is checked before
 * the last band is produced. Chunk CRCs are not checked (fast-png does not either).
 *
 * Pixels equal `decodePng`'s (`./png`): 16-bit samples keep their high byte; tRNS gives palette
 * entries their alpha, and makes the one colour it names in a grey or RGB image transparent
 * (compared at the image's own depth, as PNG spec 11.3.2.1 says); a palette index past the palette
 * is opaque black. Two differences, where `decodePng` (fast-png 8.0.0) is wrong: grey
 * below 8 bits is unpacked and scaled by `255 / (2^depth - 1)` (`decodePng` reads the packed bytes
 * as samples), and a suggested palette (PLTE) in a grey or RGB image is ignored (`decodePng`
 * applies it as if the image were indexed). `opaque` is true for grey and RGB without tRNS, and for
 * palette images whose tRNS (if any) holds only 255s. A band's buffer is reused for the next band, and the
 * IDAT data is read from `bytes` as the bands are: leave it unchanged until they are done.
 *
 * @example
 * const image = decodePngBands(bytes);
 * for await (const band of image.bands) consume(band);
 */
export function decodePngBands(bytes: Uint8Array<ArrayBuffer>, rows = BAND_ROWS): BandedImage {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`band rows must be a positive integer, not ${rows}`);
  const png = readChunks(bytes);
  const { width, height } = png;
  return { width, height, opaque: png.opaque, bands: inflateBands(png, rows) };
}

interface PngLayout {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly colourType: number;
  readonly opaque: boolean;
  /** RGBA of each palette index (256 entries; those past the palette opaque black). */
  readonly palette: Uint8Array;
  /** Grey and RGB: the samples (at the image's depth) of the one colour tRNS makes transparent. */
  readonly transparentKey: readonly number[] | undefined;
  readonly idat: readonly Uint8Array<ArrayBuffer>[];
}

function readChunks(bytes: Uint8Array<ArrayBuffer>): PngLayout {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new MalformedImageError('not a PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; depth: number; colourType: number; interlace: number } | undefined;
  let palette: Uint8Array | undefined; // RGB of the latest PLTE
  let paletteAlpha: Uint8Array | undefined; // the first tRNS after it
  let transparentKey: number[] | undefined; // grey and RGB: the first tRNS
  const idat: Uint8Array<ArrayBuffer>[] = [];
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const start = offset + 8;
    if (start + length > bytes.length) throw new MalformedImageError(`PNG chunk ${JSON.stringify(type)} runs past the end of the file`);
    const body = bytes.subarray(start, start + length);
    offset = start + length + 4; // past the CRC
    if (type === 'IHDR') {
      header = readHeader(body);
    } else if (type === 'PLTE') {
      if (length % 3 !== 0) throw new MalformedImageError(`PNG PLTE chunk of ${length} bytes is not a whole number of colours`);
      palette = body;
      paletteAlpha = undefined;
    } else if (type === 'tRNS') {
      if (!header) throw new MalformedImageError('PNG tRNS chunk before IHDR');
      const { colourType } = header;
      if (colourType === 3) {
        const colours = palette ? palette.length / 3 : 0;
        if (length > colours) throw new MalformedImageError(`PNG tRNS chunk holds ${length} alpha values for ${colours} palette colours`);
        if (palette) paletteAlpha ??= body;
      } else if (colourType === 4 || colourType === 6) {
        throw new MalformedImageError(`PNG tRNS chunk with colour type ${colourType}, which has an alpha channel`);
      } else if (length === 2 * CHANNELS[colourType]!) {
        // One 16-bit sample per channel (PNG spec 11.3.2.1); one of another length is ignored, as libpng does.
        transparentKey ??= Array.from({ length: length / 2 }, (_, i) => view.getUint16(start + 2 * i));
      }
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!header) throw new MalformedImageError('PNG without an IHDR chunk');
  const { width, height, depth, colourType, interlace } = header;
  if (interlace === 1) throw new UnsupportedImageError('interlaced (Adam7) PNGs are not streamed; decode them whole');
  if (colourType === 3 && !palette) throw new MalformedImageError('palette PNG without a PLTE chunk');
  if (idat.length === 0) throw new MalformedImageError('PNG without image data');
  const rgba = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) rgba[i * 4 + 3] = 255;
  let opaque = (colourType === 0 || colourType === 2) && transparentKey === undefined;
  if (colourType === 3) {
    const colours = Math.min(256, palette!.length / 3);
    for (let i = 0; i < colours; i++) rgba.set(palette!.subarray(i * 3, i * 3 + 3), i * 4);
    opaque = true;
    if (paletteAlpha) {
      for (let i = 0; i < paletteAlpha.length && i < 256; i++) {
        rgba[i * 4 + 3] = paletteAlpha[i]!;
        if (paletteAlpha[i] !== 255) opaque = false;
      }
    }
  }
  return { width, height, depth, colourType, opaque, palette: rgba, transparentKey, idat };
}

function readHeader(body: Uint8Array): { width: number; height: number; depth: number; colourType: number; interlace: number } {
  if (body.length !== 13) throw new MalformedImageError(`PNG IHDR chunk of ${body.length} bytes, not 13`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [depth, colourType, compression, filter, interlace] = [body[8]!, body[9]!, body[10]!, body[11]!, body[12]!];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw new MalformedImageError(`PNG of ${width}x${height} pixels`);
  const depths = DEPTHS[colourType];
  if (!depths) throw new MalformedImageError(`PNG colour type ${colourType} does not exist`);
  if (!depths.includes(depth)) throw new MalformedImageError(`PNG colour type ${colourType} cannot be ${depth}-bit`);
  if (compression !== 0) throw new MalformedImageError(`PNG compression method ${compression} does not exist`);
  if (filter !== 0) throw new MalformedImageError(`PNG filter method ${filter} does not exist`);
  if (interlace > 1) throw new MalformedImageError(`PNG interlace method ${interlace} does not exist`);
  return { width, height, depth, colourType, interlace };
}

async function* inflateBands(png: PngLayout, rows: number): AsyncGenerator<RgbaBand> {
  const { width, height, depth, colourType, idat } = png;
  const channels = CHANNELS[colourType]!;
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const stride = rowBytes + 1;
  const limit = height * stride;
  const bpp = Math.max(1, (channels * depth) >> 3);
  const convert = rowConverter(png);

  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const feeding = feedInSlices(writer, idat);
  // A damaged stream or a cancelled reader rejects pending writes: the reader reports it.
  feeding.catch(() => {});

  async function read(): Promise<Uint8Array | undefined> {
    try {
      const { done, value } = await reader.read();
      return done ? undefined : value;
    } catch (error) {
      throw new MalformedImageError(`PNG image data does not inflate: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  let finished = false;
  try {
    const scanline = new Uint8Array(stride);
    let previous = new Uint8Array(rowBytes); // zeros above the first row
    let line = new Uint8Array(rowBytes);
    const band = new Uint8Array(width * Math.min(rows, height) * 4);
    let filled = 0;
    let total = 0;
    let y = 0;
    let bandStart = 0;
    while (y < height) {
      const chunk = await read();
      if (!chunk) throw new MalformedImageError(`PNG image data ends in row ${y} of ${height}`);
      total += chunk.byteLength;
      if (total > limit) throw new MalformedImageError(`PNG image data inflates past the ${limit} bytes its header allows`);
      for (let offset = 0; offset < chunk.byteLength; ) {
        const n = Math.min(stride - filled, chunk.byteLength - offset);
        scanline.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled < stride) break;
        filled = 0;
        unfilter(scanline, previous, line, bpp, y);
        convert(line, band, (y - bandStart) * width * 4);
        const swap = previous;
        previous = line;
        line = swap;
        y++;
        if (y === height) {
          // `total <= limit` and every row is in: the chunk is used up. Anything more is too much.
          for (let more = await read(); more; more = await read()) {
            if (more.byteLength > 0) throw new MalformedImageError(`PNG image data inflates past the ${limit} bytes its header allows`);
          }
          await feeding;
          finished = true;
        }
        if (y - bandStart === rows || y === height) {
          yield { y: bandStart, width, height: y - bandStart, data: band.subarray(0, (y - bandStart) * width * 4) };
          bandStart = y;
        }
      }
      // The inflater's chunks are ours once read: freed now, not when V8 next collects (a 24 MP
      // PNG inflates to 72 MB of them, and V8 let 12 MiB pile up; docs/benchmarks.md).
      releaseBuffer(chunk);
    }
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}

/** Undoes the scanline's filter (`scanline[0]`) into `line`, given the unfiltered row above. */
function unfilter(scanline: Uint8Array, previous: Uint8Array, line: Uint8Array, bpp: number, y: number): void {
  const n = line.length;
  const filter = scanline[0]!;
  switch (filter) {
    case 0:
      line.set(scanline.subarray(1));
      break;
    case 1:
      for (let i = 0; i < bpp && i < n; i++) line[i] = scanline[i + 1]!;
      for (let i = bpp; i < n; i++) line[i] = scanline[i + 1]! + line[i - bpp]!;
      break;
    case 2:
      for (let i = 0; i < n; i++) line[i] = scanline[i + 1]! + previous[i]!;
      break;
    case 3:
      for (let i = 0; i < bpp && i < n; i++) line[i] = scanline[i + 1]! + (previous[i]! >> 1);
      for (let i = bpp; i < n; i++) line[i] = scanline[i + 1]! + ((line[i - bpp]! + previous[i]!) >> 1);
      break;
    case 4:
      for (let i = 0; i < bpp && i < n; i++) line[i] = scanline[i + 1]! + previous[i]!;
      for (let i = bpp; i < n; i++) {
        const a = line[i - bpp]!;
        const b = previous[i]!;
        const c = previous[i - bpp]!;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - c - c);
        line[i] = scanline[i + 1]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      break;
    default:
      throw new MalformedImageError(`PNG row ${y} has filter type ${filter}, which does not exist`);
  }
}

/** The unfiltered-scanline-to-RGBA conversion of the image's colour type and depth. */
function rowConverter(png: PngLayout): RowConverter {
  const { width, depth, colourType, palette } = png;
  const high = depth === 16 ? 2 : 1; // bytes per sample; 16-bit keeps the high (first) byte
  switch (colourType) {
    case 0: {
      // Each sample's full value (what a tRNS key names), then its 8-bit grey level.
      const mask = (1 << depth) - 1;
      const sampleAt: (line: Uint8Array, x: number) => number =
        depth < 8
          ? (line, x) => (line[(x * depth) >> 3]! >> (8 - depth - ((x * depth) & 7))) & mask
          : high === 2
            ? (line, x) => (line[2 * x]! << 8) | line[2 * x + 1]!
            : (line, x) => line[x]!;
      const levels = depth < 8 ? Uint8Array.from({ length: 1 << depth }, (_, v) => Math.round((v * 255) / mask)) : undefined;
      const key = png.transparentKey?.[0];
      return (line, out, at) => {
        for (let x = 0, o = at; x < width; x++, o += 4) {
          const sample = sampleAt(line, x);
          out[o] = out[o + 1] = out[o + 2] = levels ? levels[sample]! : sample >> (8 * (high - 1));
          out[o + 3] = sample === key ? 0 : 255;
        }
      };
    }
    case 2: {
      const key = png.transparentKey;
      // A channel's full value, read only where the image has a tRNS key to compare it with.
      const sampleAt = (line: Uint8Array, s: number) => (high === 2 ? (line[s]! << 8) | line[s + 1]! : line[s]!);
      return (line, out, at) => {
        for (let x = 0, s = 0, o = at; x < width; x++, s += 3 * high, o += 4) {
          out[o] = line[s]!;
          out[o + 1] = line[s + high]!;
          out[o + 2] = line[s + 2 * high]!;
          const keyed = key !== undefined && sampleAt(line, s) === key[0] && sampleAt(line, s + high) === key[1] && sampleAt(line, s + 2 * high) === key[2];
          out[o + 3] = keyed ? 0 : 255;
        }
      };
    }
    case 3: {
      const mask = (1 << depth) - 1;
      return (line, out, at) => {
        for (let x = 0, o = at; x < width; x++, o += 4) {
          const bit = x * depth;
          const p = (depth === 8 ? line[x]! : (line[bit >> 3]! >> (8 - depth - (bit & 7))) & mask) * 4;
          out[o] = palette[p]!;
          out[o + 1] = palette[p + 1]!;
          out[o + 2] = palette[p + 2]!;
          out[o + 3] = palette[p + 3]!;
        }
      };
    }
    case 4:
      return (line, out, at) => {
        for (let x = 0, s = 0, o = at; x < width; x++, s += 2 * high, o += 4) {
          out[o] = out[o + 1] = out[o + 2] = line[s]!;
          out[o + 3] = line[s + high]!;
        }
      };
    default:
      if (high === 1) return (line, out, at) => out.set(line, at);
      return (line, out, at) => {
        for (let x = 0, s = 0, o = at; x < width; x++, s += 8, o += 4) {
          out[o] = line[s]!;
          out[o + 1] = line[s + 2]!;
          out[o + 2] = line[s + 4]!;
          out[o + 3] = line[s + 6]!;
        }
      };
  }
}
