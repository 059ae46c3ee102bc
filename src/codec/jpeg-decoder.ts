import type { BandedImage, RgbaBand } from '../core/bands';
import type { StreamedBytes } from '../core/bytes';
import { MalformedImageError, UnsupportedImageError } from './errors';

/*
 * A streaming baseline JPEG decoder (ITU T.81 sequential DCT, Huffman, 8-bit) that produces RGBA
 * one MCU row at a time and can reduce by 2, 4 or 8 in the DCT domain, as libjpeg's scale_denom.
 *
 * Memory is O(width): the entropy decoder holds one 8x8 block, each component one MCU row of
 * samples at the output scale (two, plus one saved row, when the chroma upsampling needs the row
 * below), and the output is one MCU row of RGBA, reused from band to band.
 *
 * Decoding follows libjpeg-turbo's djpeg defaults closely enough to match it within rounding:
 *  - Reduced IDCTs (1/2, 1/4, 1/8) give the box average of the full 8x8 IDCT over 2x2, 4x4 or 8x8
 *    pixels, the result libjpeg's jidctred.c computes: 1/8 is the DC coefficient alone, 1/4 uses
 *    the coefficients with indices 0, 1, 3, 5, 7 in each direction, 1/2 all but index 4 (the
 *    others average to zero). 1/1 is a floating-point AAN IDCT.
 *  - Subsampled chroma is first scaled up in the DCT domain where that removes upsampling (4:2:0
 *    at 1/2 decodes chroma with the 8x8 IDCT, at 1/4 with 4x4 and at 1/8 with 2x2, so no
 *    upsampling at all), as libjpeg-turbo does; what is left is upsampled with libjpeg's "fancy"
 *    triangle filter (3/4 nearer + 1/4 further sample in each direction, with its rounding and
 *    edge replication) for 2:1 ratios, or replicated where libjpeg replicates (output blocks of
 *    one pixel, i.e. 1/8; components at most 2 samples wide; ratios of 3 or 4, as in 4:1:1).
 *    Sampling factors 1..4 with integer ratios are decoded; fractional ratios are not (libjpeg
 *    refuses them too).
 *  - YCbCr to RGB is the JFIF full-range conversion in libjpeg's 16-bit fixed point.
 *
 * Damaged data: a scan that ends (end of file or an unexpected marker) before its last MCU throws
 * MalformedImageError at the end of the MCU row that ran out, rather than padding with zeros as
 * libjpeg does; so do invalid Huffman codes, coefficient runs past the block and a missing or
 * wrong restart marker. Bytes between the end of a restart interval and its marker are skipped,
 * as libjpeg does (with a warning). Nothing is allocated from the file's sizes beyond one MCU row
 * (at most 65535 pixels wide), and every loop advances through the bytes or the MCUs.
 */

export type JpegScaleDenominator = 1 | 2 | 4 | 8;

/** What the frame header says, read without decoding: for limits and for choosing the scale. */
export interface JpegFrame {
  readonly width: number;
  readonly height: number;
  readonly progressive: boolean;
  readonly components: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DHT = 0xc4;
const DRI = 0xdd;
const APP0 = 0xe0;
const APP14 = 0xee;

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc;
}

/** SOF2, SOF6, SOF10, SOF14: progressive (SOF6 and SOF14 hierarchical too). */
function isProgressive(marker: number): boolean {
  return marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce;
}

/** Markers without a length field: TEM, RST0..RST7, SOI, EOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= SOI) || marker === EOI;
}

/**
 * Reads the frame header (SOFn) without decoding: size, component count and whether the file is
 * progressive, for every SOF type, also those {@link decodeJpegBands} does not decode.
 *
 * @example
 * const frame = readJpegFrame(bytes);
 * if (frame.width * frame.height > limits.sourcePixels) throw ...;
 */
export function readJpegFrame(bytes: Uint8Array): JpegFrame {
  checkSoi(bytes);
  let offset = 2;
  for (;;) {
    const at = nextMarker(bytes, offset, 'frame header');
    const marker = bytes[at]!;
    if (marker === SOS) throw new MalformedImageError('JPEG scan starts before any frame header');
    if (marker === EOI) throw new MalformedImageError('JPEG ends before its frame header');
    if (isStandalone(marker)) {
      offset = at + 1;
      continue;
    }
    const { start, end } = segmentAt(bytes, at);
    if (isStartOfFrame(marker)) {
      const frame = parseFrame(bytes, start, end, marker);
      return { width: frame.width, height: frame.height, progressive: isProgressive(marker), components: frame.components.length };
    }
    offset = end;
  }
}

/**
 * The output size at a scale: ceil(width / d) x ceil(height / d), as libjpeg.
 *
 * @example
 * scaledJpegSize({ width: 6000, height: 4000 }, 8); // { width: 750, height: 500 }
 */
export function scaledJpegSize(frame: { width: number; height: number }, denominator: JpegScaleDenominator): { width: number; height: number } {
  return { width: Math.ceil(frame.width / denominator), height: Math.ceil(frame.height / denominator) };
}

/**
 * Streams a baseline (SOF0/SOF1, Huffman, 8-bit) JPEG as RGBA bands (alpha 255, `opaque: true`),
 * one MCU row a band (8, 16, 24 or 32 source rows; 8 or 16 in practice), at 1/denominator scale.
 * The headers are read now: format errors throw here, {@link UnsupportedImageError} for
 * progressive, arithmetic-coded, lossless, hierarchical, 12-bit, CMYK/YCCK files, files whose
 * components are in separate scans and fractional sampling ratios, {@link MalformedImageError}
 * for damaged headers. A scan that is damaged or ends early rejects the bands' iteration with
 * {@link MalformedImageError} (no zero padding). The scan is decoded as the bands are iterated
 * (once), and each band's buffer is reused for the next one.
 *
 * The file is either whole or {@link StreamedBytes} still arriving: then `head` must hold every
 * segment up to the scan's data ({@link jpegHeadersEnd}), and the scan is read from `rest` into a
 * window that keeps only the bytes from the current MCU row on, so the compressed file is never
 * held whole either. `rest` is read only as far as the last MCU row needs.
 *
 * @example
 * const image = decodeJpegBands(bytes, 8); // a 6000x4000 photo as 750x500
 * for await (const band of image.bands) consume(band);
 */
export function decodeJpegBands(file: Uint8Array | StreamedBytes, denominator: JpegScaleDenominator): BandedImage {
  if (denominator !== 1 && denominator !== 2 && denominator !== 4 && denominator !== 8) {
    throw new RangeError(`JPEG scale denominator must be 1, 2, 4 or 8, not ${String(denominator)}`);
  }
  const streamed = !(file instanceof Uint8Array);
  const headers = parseHeaders(streamed ? file.head : file);
  const input = streamed ? ScanInput.streamed(file.head.subarray(headers.data), file.rest) : ScanInput.whole(file, headers.data);
  const { width, height } = scaledJpegSize(headers.frame, denominator);
  return { width, height, opaque: true, bands: decodeScan(input, headers, denominator) };
}

/**
 * Where the first scan's data starts, when `head` (the first bytes of a JPEG) holds every marker
 * segment before it; undefined while more bytes are needed. Damage is left to the decoder: a file
 * that is not a JPEG, or a segment shorter than its length field, ends the headers here (0).
 *
 * @example
 * jpegHeadersEnd(file.subarray(0, 100)); // undefined: the tables are still to come
 * jpegHeadersEnd(file); // 623
 */
export function jpegHeadersEnd(head: Uint8Array): number | undefined {
  if (head.length < 2) return undefined;
  if (head[0] !== 0xff || head[1] !== SOI) return 0;
  let i = 2;
  for (;;) {
    const at = findMarker(head, i);
    if (at === undefined) return undefined;
    i = at;
    const marker = head[i]!;
    if (marker === EOI) return 0;
    if (isStandalone(marker)) {
      i++;
      continue;
    }
    if (i + 2 >= head.length) return undefined;
    const length = (head[i + 1]! << 8) | head[i + 2]!;
    if (length < 2) return 0;
    const end = i + 1 + length;
    if (end > head.length) return undefined;
    if (marker === SOS) return end;
    i = end;
  }
}

/**
 * Whether {@link decodeJpegBands} reads this JPEG, from its headers alone: the rest (progressive,
 * CMYK, separate scans, ...) decode whole, under a lower limit. Damaged headers count as
 * decodable, so that the decoder itself reports them.
 *
 * @example
 * jpegDecodesInStrips(baseline); // true
 */
export function jpegDecodesInStrips(bytes: Uint8Array): boolean {
  try {
    parseHeaders(bytes);
    return true;
  } catch (error) {
    return !(error instanceof UnsupportedImageError);
  }
}

// ---------------------------------------------------------------------------------------------
// Marker segments

function checkSoi(bytes: Uint8Array): void {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== SOI) throw new UnsupportedImageError('not a JPEG (no SOI marker)');
}

/**
 * The index of the next marker's code byte at or after `offset`: skips fill bytes (0xFF) and,
 * as libjpeg does, stray bytes between segments. Throws at the end of the data.
 */
function nextMarker(bytes: Uint8Array, offset: number, wanted: string): number {
  const at = findMarker(bytes, offset);
  if (at === undefined) throw new MalformedImageError(`JPEG ends before its ${wanted}`);
  return at;
}

/** {@link nextMarker}, undefined at the end of the data. */
function findMarker(bytes: Uint8Array, offset: number): number | undefined {
  let i = offset;
  for (;;) {
    while (i < bytes.length && bytes[i] !== 0xff) i++;
    while (i < bytes.length && bytes[i] === 0xff) i++;
    if (i >= bytes.length) return undefined;
    if (bytes[i] !== 0) return i;
    i++;
  }
}

/** The payload of the segment whose marker code is at `at`: [start, end). */
function segmentAt(bytes: Uint8Array, at: number): { start: number; end: number } {
  if (at + 2 >= bytes.length) throw new MalformedImageError(`JPEG ends inside the segment at byte ${at - 1}`);
  const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
  if (length < 2) throw new MalformedImageError(`JPEG segment at byte ${at - 1} has length ${length}`);
  const end = at + 1 + length;
  if (end > bytes.length) throw new MalformedImageError(`JPEG ends inside the segment at byte ${at - 1}`);
  return { start: at + 3, end };
}

interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
}

interface Frame {
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
}

function parseFrame(bytes: Uint8Array, start: number, end: number, marker: number): Frame {
  if (end - start < 6) throw new MalformedImageError('JPEG frame header too short');
  const precision = bytes[start]!;
  const height = (bytes[start + 1]! << 8) | bytes[start + 2]!;
  const width = (bytes[start + 3]! << 8) | bytes[start + 4]!;
  const count = bytes[start + 5]!;
  if (count === 0 || end - start !== 6 + 3 * count) throw new MalformedImageError(`JPEG frame header with ${count} components has length ${end - start + 2}`);
  if (width < 1 || height < 1) throw new MalformedImageError(`JPEG frame header declares a ${width}x${height} image`);
  const components: FrameComponent[] = [];
  for (let i = 0, p = start + 6; i < count; i++, p += 3) {
    const h = bytes[p + 1]! >> 4;
    const v = bytes[p + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new MalformedImageError(`JPEG component ${i} has sampling factors ${h}x${v}`);
    components.push({ id: bytes[p]!, h, v, tq: bytes[p + 2]! });
  }
  return { marker, precision, width, height, components };
}

/** Canonical Huffman decoding tables (ITU T.81 C, F.2.2.3) with a 9-bit lookahead. */
interface HuffmanTable {
  /** By the next 9 bits: (code length << 8) | symbol for codes up to 9 bits, 0 for longer codes. */
  readonly lookup: Uint16Array;
  /**
   * AC tables only, by the next 9 bits: when a code and its extra bits fit in them, the decoded
   * coefficient, run and bits used as (value << 8) | (run << 4) | length; otherwise 0.
   */
  readonly fast: Int32Array;
  /**
   * AC tables only, by the next 9 bits, for decoding that keeps the DC coefficient alone: bits
   * used by the code and its extra bits, the step in the zig-zag index (run + 1, 16 for ZRL, 64
   * for end of block) and whether a coefficient is set, as (coefficient << 12) | (step << 5) | bits;
   * 0 for codes longer than 9 bits.
   */
  readonly skip: Int32Array;
  /** By code length 1..16: the largest code of that length, -1 when there is none. */
  readonly maxCode: Int32Array;
  /** By code length: index into `symbols` of a code of that length, less the code. */
  readonly symbolOffset: Int32Array;
  readonly symbols: Uint8Array;
}

const LOOKAHEAD = 9;
const LOOKAHEAD_MASK = (1 << LOOKAHEAD) - 1;

function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array, ac: boolean): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  const maxCode = new Int32Array(17).fill(-1);
  const symbolOffset = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1]!;
    symbolOffset[length] = k - code;
    for (let n = 0; n < count; n++, code++, k++) {
      if (length <= LOOKAHEAD) {
        const first = code << (LOOKAHEAD - length);
        lookup.fill((length << 8) | symbols[k]!, first, first + (1 << (LOOKAHEAD - length)));
      }
    }
    if (count > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw new MalformedImageError('JPEG Huffman table has more codes than its lengths allow');
    code <<= 1;
  }
  const fast = new Int32Array(ac ? 1 << LOOKAHEAD : 0);
  const skip = new Int32Array(ac ? 1 << LOOKAHEAD : 0);
  for (let peek = 0; peek < fast.length; peek++) {
    const entry = lookup[peek]!;
    if (entry === 0) continue;
    const length = entry >> 8;
    const size = entry & 15;
    const run = (entry >> 4) & 15;
    skip[peek] = size !== 0 ? (1 << 12) | ((run + 1) << 5) | (length + size) : ((run === 15 ? 16 : 64) << 5) | length;
    if (size === 0 || length + size > LOOKAHEAD) continue;
    const bits = (peek >> (LOOKAHEAD - length - size)) & ((1 << size) - 1);
    const value = bits < 1 << (size - 1) ? bits + 1 - (1 << size) : bits;
    fast[peek] = (value << 8) | (entry & 0xf0) | (length + size);
  }
  return { lookup, fast, skip, maxCode, symbolOffset, symbols };
}

/** Natural (row-major) index of each zig-zag position (ITU T.81 figure 5). */
const ZIGZAG = ((): Uint8Array => {
  const order = new Uint8Array(64);
  let i = 0;
  for (let sum = 0; sum < 15; sum++) {
    const low = Math.max(0, sum - 7);
    const high = Math.min(sum, 7);
    if (sum % 2 === 0) for (let row = high; row >= low; row--) order[i++] = row * 8 + sum - row;
    else for (let row = low; row <= high; row++) order[i++] = row * 8 + sum - row;
  }
  return order;
})();

type ColourModel = 'grey' | 'ycc' | 'rgb';

interface ScanComponent {
  /** Index into the frame's components. */
  readonly index: number;
  readonly dc: HuffmanTable;
  readonly ac: HuffmanTable;
}

interface Headers {
  readonly frame: Frame;
  readonly colour: ColourModel;
  /** Quantisation tables of the frame's components, natural order. */
  readonly quant: readonly Uint16Array[];
  readonly scan: readonly ScanComponent[];
  readonly restartInterval: number;
  /** First byte of the entropy-coded data. */
  readonly data: number;
}

/** Walks the segments up to the first scan and checks that the file is one we decode. */
function parseHeaders(bytes: Uint8Array): Headers {
  checkSoi(bytes);
  const quantTables: (Uint16Array | undefined)[] = [];
  const dcTables: (HuffmanTable | undefined)[] = [];
  const acTables: (HuffmanTable | undefined)[] = [];
  let frame: Frame | undefined;
  let restartInterval = 0;
  let jfif = false;
  let adobeTransform: number | undefined;
  let offset = 2;
  for (;;) {
    const at = nextMarker(bytes, offset, 'first scan');
    const marker = bytes[at]!;
    if (marker === EOI) throw new MalformedImageError('JPEG ends before its first scan');
    if (isStandalone(marker)) {
      offset = at + 1;
      continue;
    }
    const { start, end } = segmentAt(bytes, at);
    offset = end;
    if (isStartOfFrame(marker)) {
      if (frame !== undefined) throw new MalformedImageError('JPEG with two frame headers');
      frame = parseFrame(bytes, start, end, marker);
      checkDecodable(frame);
    } else if (marker === DQT) {
      parseQuantTables(bytes, start, end, quantTables);
    } else if (marker === DHT) {
      parseHuffmanTables(bytes, start, end, dcTables, acTables);
    } else if (marker === DRI) {
      if (end - start !== 2) throw new MalformedImageError('JPEG restart interval segment has the wrong length');
      restartInterval = (bytes[start]! << 8) | bytes[start + 1]!;
    } else if (marker === APP0) {
      if (end - start >= 5 && matches(bytes, start, [0x4a, 0x46, 0x49, 0x46, 0])) jfif = true; // "JFIF\0"
    } else if (marker === APP14) {
      if (end - start >= 12 && matches(bytes, start, [0x41, 0x64, 0x6f, 0x62, 0x65])) adobeTransform = bytes[start + 11]!; // "Adobe"
    } else if (marker === 0xcc) {
      throw new UnsupportedImageError('arithmetic-coded JPEG is not supported');
    } else if (marker === SOS) {
      if (frame === undefined) throw new MalformedImageError('JPEG scan starts before any frame header');
      const scan = parseScanHeader(bytes, start, end, frame, dcTables, acTables);
      const quant = frame.components.map((component, i) => {
        const table = component.tq < 4 ? quantTables[component.tq] : undefined;
        if (table === undefined) throw new MalformedImageError(`JPEG component ${i} uses undefined quantisation table ${component.tq}`);
        return table;
      });
      return { frame, colour: colourModel(frame, jfif, adobeTransform), quant, scan, restartInterval, data: end };
    }
    // APPn, COM and everything else before the scan is skipped.
  }
}

function matches(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  return expected.every((byte, i) => bytes[offset + i] === byte);
}

function checkDecodable(frame: Frame): void {
  const { marker, precision, components } = frame;
  if (isProgressive(marker)) throw new UnsupportedImageError('progressive JPEG is not supported by the streaming decoder');
  if (marker >= 0xc9) throw new UnsupportedImageError('arithmetic-coded JPEG is not supported');
  if (marker === 0xc3) throw new UnsupportedImageError('lossless JPEG is not supported');
  if (marker !== 0xc0 && marker !== 0xc1) throw new UnsupportedImageError('hierarchical JPEG is not supported');
  if (precision !== 8) throw new UnsupportedImageError(`${precision}-bit JPEG is not supported (8-bit only)`);
  if (components.length !== 1 && components.length !== 3) {
    throw new UnsupportedImageError(`JPEG with ${components.length} components is not supported (greyscale and YCbCr/RGB only)`);
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  if (components.length === 3 && components.some((c) => hMax % c.h !== 0 || vMax % c.v !== 0)) {
    throw new UnsupportedImageError('JPEG with fractional sampling ratios is not supported'); // as libjpeg
  }
}

/** libjpeg's choice (jdapimin.c): JFIF means YCbCr; else Adobe's transform flag; else component ids "RGB". */
function colourModel(frame: Frame, jfif: boolean, adobeTransform: number | undefined): ColourModel {
  if (frame.components.length === 1) return 'grey';
  if (jfif) return 'ycc';
  if (adobeTransform !== undefined) return adobeTransform === 0 ? 'rgb' : 'ycc';
  const [r, g, b] = frame.components;
  return r!.id === 0x52 && g!.id === 0x47 && b!.id === 0x42 ? 'rgb' : 'ycc';
}

function parseQuantTables(bytes: Uint8Array, start: number, end: number, tables: (Uint16Array | undefined)[]): void {
  let p = start;
  while (p < end) {
    const precision = bytes[p]! >> 4;
    const id = bytes[p]! & 15;
    const size = precision === 0 ? 64 : 128;
    if (precision > 1 || id > 3 || p + 1 + size > end) throw new MalformedImageError('JPEG quantisation table segment is damaged');
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      table[ZIGZAG[k]!] = precision === 0 ? bytes[p + 1 + k]! : (bytes[p + 1 + 2 * k]! << 8) | bytes[p + 2 + 2 * k]!;
    }
    tables[id] = table;
    p += 1 + size;
  }
}

function parseHuffmanTables(bytes: Uint8Array, start: number, end: number, dc: (HuffmanTable | undefined)[], ac: (HuffmanTable | undefined)[]): void {
  let p = start;
  while (p < end) {
    const kind = bytes[p]! >> 4;
    const id = bytes[p]! & 15;
    if (kind > 1 || id > 3 || p + 17 > end) throw new MalformedImageError('JPEG Huffman table segment is damaged');
    const counts = bytes.slice(p + 1, p + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total > 256 || p + 17 + total > end) throw new MalformedImageError('JPEG Huffman table segment is damaged');
    const symbols = bytes.slice(p + 17, p + 17 + total);
    if (kind === 0) {
      if (symbols.some((s) => s > 15)) throw new MalformedImageError('JPEG DC Huffman table has a category above 15');
      dc[id] = buildHuffmanTable(counts, symbols, false);
    } else {
      ac[id] = buildHuffmanTable(counts, symbols, true);
    }
    p += 17 + total;
  }
}

function parseScanHeader(
  bytes: Uint8Array,
  start: number,
  end: number,
  frame: Frame,
  dcTables: readonly (HuffmanTable | undefined)[],
  acTables: readonly (HuffmanTable | undefined)[],
): ScanComponent[] {
  const count = bytes[start]!;
  if (count < 1 || count > 4 || end - start !== 4 + 2 * count) throw new MalformedImageError('JPEG scan header is damaged');
  const scan: ScanComponent[] = [];
  for (let i = 0, p = start + 1; i < count; i++, p += 2) {
    const index = frame.components.findIndex((c) => c.id === bytes[p]);
    if (index < 0 || scan.some((s) => s.index === index)) throw new MalformedImageError(`JPEG scan names component id ${bytes[p]} twice or not in the frame`);
    const dc = dcTables[bytes[p + 1]! >> 4];
    const ac = acTables[bytes[p + 1]! & 15];
    if (dc === undefined || ac === undefined) throw new MalformedImageError(`JPEG scan uses an undefined Huffman table`);
    scan.push({ index, dc, ac });
  }
  if (scan.length !== frame.components.length) {
    throw new UnsupportedImageError('JPEG whose components are in separate scans is not supported by the streaming decoder');
  }
  return scan;
}

// ---------------------------------------------------------------------------------------------
// Inverse DCTs: from a dequantised block (natural order) to `size` x `size` samples, level-shifted.

const SQRT2 = Math.SQRT2;

/** AAN's per-frequency scale, folded into the dequantisation multipliers of the 8x8 IDCT. */
const AAN_SCALE = Float64Array.from({ length: 8 }, (_, k) => (k === 0 ? 1 : Math.cos((k * Math.PI) / 16) * SQRT2));

/**
 * Weights of the reduced IDCTs: output sample k of `n` (n = 8 / d) from coefficient u is the mean
 * over the d full-size samples it covers of C(u)/2 cos((2x + 1) u pi / 16).
 */
function reducedWeights(n: number): Float64Array {
  const d = 8 / n;
  const weights = new Float64Array(n * 8);
  for (let k = 0; k < n; k++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += Math.cos(((2 * (k * d + j) + 1) * u * Math.PI) / 16);
      weights[k * 8 + u] = (sum / d) * (u === 0 ? Math.SQRT1_2 : 1) * 0.5;
    }
  }
  return weights;
}

const W4 = reducedWeights(4);
const W2 = reducedWeights(2);
// Named weights: Wn_ku. The mean of the DC weight is the same for every k.
const W_DC = W4[0]!; // 1 / (2 sqrt 2)
const [W4_01, W4_02, W4_03, W4_05, W4_06, W4_07] = [W4[1]!, W4[2]!, W4[3]!, W4[5]!, W4[6]!, W4[7]!];
const [W4_11, W4_12, W4_13, W4_15, W4_16, W4_17] = [W4[9]!, W4[10]!, W4[11]!, W4[13]!, W4[14]!, W4[15]!];
const [W2_1, W2_3, W2_5, W2_7] = [W2[1]!, W2[3]!, W2[5]!, W2[7]!];

/** The 8x8 IDCT (Arai, Agui and Nakajima's factorisation); `block` carries the AAN scale and 1/8. */
function idct8(block: Float64Array, out: Uint8ClampedArray, offset: number, stride: number, ws: Float64Array): void {
  for (let c = 0; c < 8; c++) {
    const d0 = block[c]!;
    const d1 = block[8 + c]!;
    const d2 = block[16 + c]!;
    const d3 = block[24 + c]!;
    const d4 = block[32 + c]!;
    const d5 = block[40 + c]!;
    const d6 = block[48 + c]!;
    const d7 = block[56 + c]!;
    if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0 && d5 === 0 && d6 === 0 && d7 === 0) {
      ws[c] = ws[8 + c] = ws[16 + c] = ws[24 + c] = ws[32 + c] = ws[40 + c] = ws[48 + c] = ws[56 + c] = d0;
      continue;
    }
    const e10 = d0 + d4;
    const e11 = d0 - d4;
    const e13 = d2 + d6;
    const e12 = (d2 - d6) * SQRT2 - e13;
    const e0 = e10 + e13;
    const e3 = e10 - e13;
    const e1 = e11 + e12;
    const e2 = e11 - e12;
    const z13 = d5 + d3;
    const z10 = d5 - d3;
    const z11 = d1 + d7;
    const z12 = d1 - d7;
    const o7 = z11 + z13;
    const o11 = (z11 - z13) * SQRT2;
    const z5 = (z10 + z12) * 1.8477590650225735;
    const o10 = z5 - z12 * 1.0823922002923938;
    const o12 = z5 - z10 * 2.613125929752753;
    const o6 = o12 - o7;
    const o5 = o11 - o6;
    const o4 = o10 - o5;
    ws[c] = e0 + o7;
    ws[56 + c] = e0 - o7;
    ws[8 + c] = e1 + o6;
    ws[48 + c] = e1 - o6;
    ws[16 + c] = e2 + o5;
    ws[40 + c] = e2 - o5;
    ws[24 + c] = e3 + o4;
    ws[32 + c] = e3 - o4;
  }
  for (let r = 0, p = offset; r < 64; r += 8, p += stride) {
    const d0 = ws[r]! + 128;
    const d1 = ws[r + 1]!;
    const d2 = ws[r + 2]!;
    const d3 = ws[r + 3]!;
    const d4 = ws[r + 4]!;
    const d5 = ws[r + 5]!;
    const d6 = ws[r + 6]!;
    const d7 = ws[r + 7]!;
    const e10 = d0 + d4;
    const e11 = d0 - d4;
    const e13 = d2 + d6;
    const e12 = (d2 - d6) * SQRT2 - e13;
    const e0 = e10 + e13;
    const e3 = e10 - e13;
    const e1 = e11 + e12;
    const e2 = e11 - e12;
    const z13 = d5 + d3;
    const z10 = d5 - d3;
    const z11 = d1 + d7;
    const z12 = d1 - d7;
    const o7 = z11 + z13;
    const o11 = (z11 - z13) * SQRT2;
    const z5 = (z10 + z12) * 1.8477590650225735;
    const o10 = z5 - z12 * 1.0823922002923938;
    const o12 = z5 - z10 * 2.613125929752753;
    const o6 = o12 - o7;
    const o5 = o11 - o6;
    const o4 = o10 - o5;
    out[p] = e0 + o7;
    out[p + 7] = e0 - o7;
    out[p + 1] = e1 + o6;
    out[p + 6] = e1 - o6;
    out[p + 2] = e2 + o5;
    out[p + 5] = e2 - o5;
    out[p + 3] = e3 + o4;
    out[p + 4] = e3 - o4;
  }
}

/** 4x4 output, each sample the mean of a 2x2 of the 8x8 IDCT (coefficient 4 averages to zero). */
function idct4(block: Float64Array, out: Uint8ClampedArray, offset: number, stride: number, ws: Float64Array): void {
  for (let c = 0; c < 8; c++) {
    if (c === 4) continue;
    const d0 = block[c]!;
    const d1 = block[8 + c]!;
    const d2 = block[16 + c]!;
    const d3 = block[24 + c]!;
    const d5 = block[40 + c]!;
    const d6 = block[48 + c]!;
    const d7 = block[56 + c]!;
    const dc = d0 * W_DC;
    const e0 = dc + d2 * W4_02 + d6 * W4_06;
    const e1 = dc + d2 * W4_12 + d6 * W4_16;
    const o0 = d1 * W4_01 + d3 * W4_03 + d5 * W4_05 + d7 * W4_07;
    const o1 = d1 * W4_11 + d3 * W4_13 + d5 * W4_15 + d7 * W4_17;
    ws[c] = e0 + o0;
    ws[8 + c] = e1 + o1;
    ws[16 + c] = e1 - o1;
    ws[24 + c] = e0 - o0;
  }
  for (let r = 0, p = offset; r < 32; r += 8, p += stride) {
    const dc = ws[r]! * W_DC + 128;
    const d1 = ws[r + 1]!;
    const d2 = ws[r + 2]!;
    const d3 = ws[r + 3]!;
    const d5 = ws[r + 5]!;
    const d6 = ws[r + 6]!;
    const d7 = ws[r + 7]!;
    const e0 = dc + d2 * W4_02 + d6 * W4_06;
    const e1 = dc + d2 * W4_12 + d6 * W4_16;
    const o0 = d1 * W4_01 + d3 * W4_03 + d5 * W4_05 + d7 * W4_07;
    const o1 = d1 * W4_11 + d3 * W4_13 + d5 * W4_15 + d7 * W4_17;
    out[p] = e0 + o0;
    out[p + 1] = e1 + o1;
    out[p + 2] = e1 - o1;
    out[p + 3] = e0 - o0;
  }
}

/** 2x2 output, each sample the mean of a 4x4 of the 8x8 IDCT (even coefficients but 0 average to zero). */
function idct2(block: Float64Array, out: Uint8ClampedArray, offset: number, stride: number, ws: Float64Array): void {
  for (let c = 0; c < 8; c++) {
    if (c !== 0 && (c & 1) === 0) continue;
    const even = block[c]! * W_DC;
    const odd = block[8 + c]! * W2_1 + block[24 + c]! * W2_3 + block[40 + c]! * W2_5 + block[56 + c]! * W2_7;
    ws[c] = even + odd;
    ws[8 + c] = even - odd;
  }
  for (let r = 0, p = offset; r < 16; r += 8, p += stride) {
    const even = ws[r]! * W_DC + 128;
    const odd = ws[r + 1]! * W2_1 + ws[r + 3]! * W2_3 + ws[r + 5]! * W2_5 + ws[r + 7]! * W2_7;
    out[p] = even + odd;
    out[p + 1] = even - odd;
  }
}

// ---------------------------------------------------------------------------------------------
// YCbCr -> RGB, JFIF full range, in libjpeg's 16-bit fixed point (jdcolor.c's tables).

const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
{
  const fix = (x: number): number => Math.round(x * 65536);
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    CR_R[i] = (fix(1.402) * x + 32768) >> 16;
    CB_B[i] = (fix(1.772) * x + 32768) >> 16;
    CR_G[i] = -fix(0.71414) * x;
    CB_G[i] = -fix(0.34414) * x + 32768;
  }
}

// ---------------------------------------------------------------------------------------------
// Components: one MCU row of samples at the output scale, and their upsampling to output rows.

class Component {
  /** Dequantisation multipliers, natural order (with AAN's scale and 1/8 for the 8x8 IDCT). */
  readonly mult = new Float64Array(64);
  /** DC predictor. */
  pred = 0;
  cur: Uint8ClampedArray;
  next: Uint8ClampedArray;
  readonly above: Uint8ClampedArray;
  readonly up: Uint8ClampedArray;
  /** Where {@link prepareRow} left the output row's samples. */
  rowData: Uint8ClampedArray;
  rowOffset = 0;

  constructor(
    readonly dc: HuffmanTable,
    readonly ac: HuffmanTable,
    /** Blocks across and down in an MCU (1x1 in a single-component scan). */
    readonly h: number,
    readonly v: number,
    /** Output samples per block side: 8 / denominator, or a multiple of it for subsampled chroma. */
    readonly size: number,
    /** Samples per row of the MCU row buffers. */
    readonly stride: number,
    /** Sample rows per MCU row. */
    readonly rows: number,
    /** Samples across and down that carry image data (libjpeg's downsampled_width/height). */
    readonly realWidth: number,
    readonly realHeight: number,
    /** Upsampling factors to the output grid: 1, 2, 3 or 4. */
    readonly ratioH: number,
    readonly ratioV: number,
    readonly fancy: boolean,
    withContext: boolean,
    quant: Uint16Array,
  ) {
    this.cur = new Uint8ClampedArray(stride * rows);
    this.next = withContext ? new Uint8ClampedArray(stride * rows) : this.cur;
    this.above = new Uint8ClampedArray(withContext ? stride : 0);
    this.up = new Uint8ClampedArray(ratioH === 1 && ratioV === 1 ? 0 : stride * ratioH);
    this.rowData = this.cur;
    for (let i = 0; i < 64; i++) this.mult[i] = size === 8 ? (quant[i]! * AAN_SCALE[i >> 3]! * AAN_SCALE[i & 7]!) / 8 : quant[i]!;
  }

  /** After a band: keeps the last sample row as the row above the next MCU row, and swaps buffers. */
  advance(): void {
    this.above.set(this.cur.subarray((this.rows - 1) * this.stride, this.rows * this.stride));
    const cur = this.cur;
    this.cur = this.next;
    this.next = cur;
  }

  /** Points {@link rowData}/{@link rowOffset} at the samples of output row `y` of MCU row `mcuRow`. */
  prepareRow(mcuRow: number, y: number): void {
    const { ratioH, ratioV, stride, realWidth, rows } = this;
    const base = mcuRow * rows;
    const near = ratioV === 1 ? base + y : Math.min(base + Math.floor(y / ratioV), this.realHeight - 1);
    const nearOffset = (near - base) * stride;
    if (this.fancy && ratioV === 2) {
      const far = Math.max(0, Math.min((y & 1) === 0 ? near - 1 : near + 1, this.realHeight - 1));
      const local = far - base;
      const farData = local < 0 ? this.above : local < rows ? this.cur : this.next;
      const farOffset = local < 0 ? 0 : local < rows ? local * stride : (local - rows) * stride;
      if (ratioH === 1) upsampleH1V2(this.cur, nearOffset, farData, farOffset, this.up, realWidth, (y & 1) === 0 ? 1 : 2);
      else upsampleH2V2(this.cur, nearOffset, farData, farOffset, this.up, realWidth);
    } else if (ratioH === 1) {
      this.rowData = this.cur;
      this.rowOffset = nearOffset;
      return;
    } else if (this.fancy) {
      upsampleH2V1(this.cur, nearOffset, this.up, realWidth);
    } else {
      replicate(this.cur, nearOffset, this.up, realWidth, ratioH);
    }
    this.rowData = this.up;
    this.rowOffset = 0;
  }
}

/** Box upsampling by an integer factor across (libjpeg's int_upsample; rows are repeated by the caller). */
function replicate(src: Uint8ClampedArray, offset: number, out: Uint8ClampedArray, width: number, factor: number): void {
  for (let j = 0, p = 0; j < width; j++) {
    const value = src[offset + j]!;
    for (let t = 0; t < factor; t++) out[p++] = value;
  }
}

/** libjpeg's h2v1 "fancy" upsampling: 3/4 nearer + 1/4 further sample, edges replicated. */
function upsampleH2V1(src: Uint8ClampedArray, offset: number, out: Uint8ClampedArray, width: number): void {
  const last = offset + width - 1;
  let left = src[offset]!;
  let here = left;
  for (let j = 0, p = offset; j < width; j++, p++) {
    const right = p < last ? src[p + 1]! : here;
    const here3 = here * 3;
    out[2 * j] = (here3 + left + 1) >> 2;
    out[2 * j + 1] = (here3 + right + 2) >> 2;
    left = here;
    here = right;
  }
}

/** libjpeg-turbo's h1v2 "fancy" upsampling: 3/4 nearer + 1/4 further row. */
function upsampleH1V2(
  near: Uint8ClampedArray,
  nearOffset: number,
  far: Uint8ClampedArray,
  farOffset: number,
  out: Uint8ClampedArray,
  width: number,
  bias: number,
): void {
  for (let j = 0; j < width; j++) out[j] = (near[nearOffset + j]! * 3 + far[farOffset + j]! + bias) >> 2;
}

/** libjpeg's h2v2 "fancy" upsampling: the triangle filter in both directions (9/16, 3/16, 3/16, 1/16). */
function upsampleH2V2(near: Uint8ClampedArray, nearOffset: number, far: Uint8ClampedArray, farOffset: number, out: Uint8ClampedArray, width: number): void {
  let here = near[nearOffset]! * 3 + far[farOffset]!;
  let left = here;
  for (let j = 0; j < width; j++) {
    const right = j + 1 < width ? near[nearOffset + j + 1]! * 3 + far[farOffset + j + 1]! : here;
    const here3 = here * 3;
    out[2 * j] = (here3 + left + 8) >> 4;
    out[2 * j + 1] = (here3 + right + 7) >> 4;
    left = here;
    here = right;
  }
}

// ---------------------------------------------------------------------------------------------
// The scan

async function* decodeScan(input: ScanInput, headers: Headers, denominator: JpegScaleDenominator): AsyncGenerator<RgbaBand> {
  const { frame, colour } = headers;
  const single = frame.components.length === 1;
  const hMax = single ? 1 : Math.max(...frame.components.map((c) => c.h));
  const vMax = single ? 1 : Math.max(...frame.components.map((c) => c.v));
  const minSize = 8 / denominator;
  const mcusAcross = Math.ceil(frame.width / (8 * hMax));
  const mcuRows = Math.ceil(frame.height / (8 * vMax));
  const out = scaledJpegSize(frame, denominator);
  const bandRows = vMax * minSize;
  // libjpeg-turbo (jdmaster.c) scales subsampled components up in the IDCT where that saves upsampling.
  const sizes = frame.components.map((c) => {
    let size = minSize;
    if (!single) {
      while (size < 8 && (hMax * minSize) % (c.h * size * 2) === 0 && (vMax * minSize) % (c.v * size * 2) === 0) size *= 2;
    }
    return size;
  });
  const geometry = frame.components.map((c, i) => {
    const h = single ? 1 : c.h;
    const v = single ? 1 : c.v;
    const size = sizes[i]!;
    const ratioH = (hMax * minSize) / (h * size);
    const ratioV = (vMax * minSize) / (v * size);
    const realWidth = Math.ceil((frame.width * h * size) / (hMax * 8));
    // jdsample.c: "fancy" (triangle) upsampling for 2:1 across, down or both, but not at 1 sample
    // a block nor across for components at most 2 samples wide; other integer ratios replicate.
    const fancy = minSize > 1 && ratioH <= 2 && ratioV <= 2 && ratioH * ratioV > 1 && (ratioH === 1 || realWidth > 2);
    return { h, v, size, ratioH, ratioV, realWidth, fancy };
  });
  const withContext = geometry.some((g) => g.ratioV === 2 && g.fancy);
  const components = frame.components.map((_, i) => {
    const g = geometry[i]!;
    const scan = headers.scan.find((s) => s.index === i)!;
    return new Component(
      scan.dc,
      scan.ac,
      g.h,
      g.v,
      g.size,
      mcusAcross * g.h * g.size,
      g.v * g.size,
      g.realWidth,
      Math.ceil((frame.height * g.v * g.size) / (vMax * 8)),
      g.ratioH,
      g.ratioV,
      g.fancy,
      withContext,
      headers.quant[i]!,
    );
  });
  const decoder = new ScanDecoder(
    input,
    headers.restartInterval,
    headers.scan.map((s) => components[s.index]!),
    mcusAcross,
  );
  const buffer = new Uint8Array(out.width * bandRows * 4);
  const words = new Uint32Array(buffer.buffer);
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
    if (!withContext) await decoder.decodeRow(false);
    else {
      if (mcuRow === 0) await decoder.decodeRow(false);
      if (mcuRow + 1 < mcuRows) await decoder.decodeRow(true);
    }
    const y0 = mcuRow * bandRows;
    const rows = Math.min(bandRows, out.height - y0);
    for (let y = 0; y < rows; y++) {
      for (const component of components) component.prepareRow(mcuRow, y);
      const pixel = y * out.width;
      if (colour === 'grey') writeGrey(components[0]!, words, buffer, pixel, out.width);
      else writeColour(components[0]!, components[1]!, components[2]!, words, buffer, pixel, out.width, colour === 'ycc');
    }
    yield { y: y0, width: out.width, height: rows, data: buffer.subarray(0, out.width * rows * 4) };
    if (withContext) for (const component of components) component.advance();
  }
}

/** Clamps `value + 384` to 0..255: range limiting for the colour conversion (libjpeg's sample_range_limit). */
const CLAMP = Uint8Array.from({ length: 1024 }, (_, i) => Math.max(0, Math.min(255, i - 384)));

/** Pixels are written as 32-bit words, R in the lowest byte, on little-endian hosts (all we run on). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const OPAQUE = 0xff000000;

function writeGrey(c: Component, out: Uint32Array, bytes: Uint8Array, pixel: number, width: number): void {
  const src = c.rowData;
  const start = c.rowOffset;
  if (!LITTLE_ENDIAN) {
    for (let x = 0, p = pixel * 4; x < width; x++, p += 4) bytes.fill(src[start + x]!, p, p + 3).fill(255, p + 3, p + 4);
    return;
  }
  for (let x = 0; x < width; x++) out[pixel + x] = (src[start + x]! * 0x10101) | OPAQUE;
}

function writeColour(c0: Component, c1: Component, c2: Component, out: Uint32Array, bytes: Uint8Array, pixel: number, width: number, ycc: boolean): void {
  const s0 = c0.rowData;
  const s1 = c1.rowData;
  const s2 = c2.rowData;
  const i0 = c0.rowOffset;
  const i1 = c1.rowOffset;
  const i2 = c2.rowOffset;
  if (!LITTLE_ENDIAN) {
    for (let x = 0, p = pixel * 4; x < width; x++, p += 4) {
      const y = s0[i0 + x]! + 384;
      const cb = s1[i1 + x]!;
      const cr = s2[i2 + x]!;
      bytes[p] = ycc ? CLAMP[y + CR_R[cr]!]! : y - 384;
      bytes[p + 1] = ycc ? CLAMP[y + ((CB_G[cb]! + CR_G[cr]!) >> 16)]! : cb;
      bytes[p + 2] = ycc ? CLAMP[y + CB_B[cb]!]! : cr;
      bytes[p + 3] = 255;
    }
    return;
  }
  if (!ycc) {
    for (let x = 0; x < width; x++) out[pixel + x] = s0[i0 + x]! | (s1[i1 + x]! << 8) | (s2[i2 + x]! << 16) | OPAQUE;
    return;
  }
  for (let x = 0; x < width; x++) {
    const y = s0[i0 + x]! + 384;
    const cb = s1[i1 + x]!;
    const cr = s2[i2 + x]!;
    out[pixel + x] = CLAMP[y + CR_R[cr]!]! | (CLAMP[y + ((CB_G[cb]! + CR_G[cr]!) >> 16)]! << 8) | (CLAMP[y + CB_B[cb]!]! << 16) | OPAQUE;
  }
}

/**
 * The scan's bytes: the whole file, or a window onto a file still arriving, refilled from the
 * rest chunk by chunk. Only the bytes from the current MCU row on are kept, so the window holds
 * about a row's compressed data (tens of KiB for a 6000-pixel-wide photo) plus a chunk.
 */
class ScanInput {
  private constructor(
    private buffer: Uint8Array,
    private end: number,
    /** Whether the window holds the file's last byte: its end is then the end of the data. */
    public complete: boolean,
    /** Where the entropy-coded data starts in the window. */
    readonly start: number,
    private readonly rest?: AsyncIterator<Uint8Array>,
  ) {}

  static whole(file: Uint8Array, start: number): ScanInput {
    return new ScanInput(file, file.length, true, start);
  }

  static streamed(first: Uint8Array, rest: AsyncIterator<Uint8Array>): ScanInput {
    const buffer = new Uint8Array(Math.max(first.length, MIN_WINDOW));
    buffer.set(first);
    return new ScanInput(buffer, first.length, false, 0, rest);
  }

  /** The bytes at hand. */
  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.end);
  }

  /**
   * Reads the next chunk of the file after the bytes at hand, first dropping those before `keep`
   * when the window is full. Returns how far the kept bytes moved towards the window's start.
   */
  async more(keep: number): Promise<number> {
    const { done, value } = await this.rest!.next();
    if (done === true || value === undefined) {
      this.complete = true;
      return 0;
    }
    let shift = 0;
    if (this.end + value.length > this.buffer.length) {
      this.buffer.copyWithin(0, keep, this.end);
      this.end -= keep;
      shift = keep;
      if (this.end + value.length > this.buffer.length) {
        const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.end + value.length));
        grown.set(this.buffer.subarray(0, this.end));
        this.buffer = grown;
      }
    }
    this.buffer.set(value, this.end);
    this.end += value.length;
    return shift;
  }
}

/** The window's first capacity; it grows (doubling) only for a row longer than half of it. */
const MIN_WINDOW = 256 << 10;

/**
 * Thrown by the bit reader when a streamed window runs out before the file does: the row being
 * decoded is decoded again once more bytes have arrived. One instance, as it carries no news.
 */
class WindowExhausted extends Error {
  override readonly name = 'WindowExhausted';
}
const WINDOW_EXHAUSTED = new WindowExhausted('the JPEG scan window needs more bytes');

/** The entropy decoder's state between MCU rows: enough to decode a row again from its start. */
interface RowStart {
  readonly bits: number;
  readonly count: number;
  readonly padding: number;
  readonly atMarker: boolean;
  readonly pos: number;
  readonly mcus: number;
  readonly nextRestart: number;
  readonly predictors: readonly number[];
}

/** Entropy decoding of the scan's MCUs into the components' MCU row buffers. */
class ScanDecoder {
  /** Bit buffer: the low `count` bits of `bits` are the next bits of the scan, most significant first. */
  private bits = 0;
  private count = 0;
  /** Zero bits appended after the scan's data ran out (a marker or the end of the file). */
  private padding = 0;
  private atMarker = false;
  private pos: number;
  private mcus = 0;
  private nextRestart = 0;
  private readonly block = new Float64Array(64);
  private readonly workspace = new Float64Array(64);
  private bytes: Uint8Array;
  private complete: boolean;
  /** The most compressed bytes a row has taken so far: a streamed window is refilled to twice that before each row. */
  private longestRow = 0;

  constructor(
    private readonly input: ScanInput,
    private readonly restartInterval: number,
    private readonly scan: readonly Component[],
    private readonly mcusAcross: number,
  ) {
    this.pos = input.start;
    this.bytes = input.bytes;
    this.complete = input.complete;
  }

  /**
   * Decodes the next MCU row into each component's `cur` (or `next`) buffer. A streamed window is
   * first topped up to twice the longest row so far; if the row still runs past it, the row is
   * decoded again from its start once the next chunk has arrived.
   */
  async decodeRow(intoNext: boolean): Promise<void> {
    while (!this.complete && this.bytes.length - this.pos < 2 * this.longestRow) await this.readMore();
    for (;;) {
      const start = this.rowStart();
      try {
        this.decodeRowAtHand(intoNext);
        this.longestRow = Math.max(this.longestRow, this.pos - start.pos);
        return;
      } catch (error) {
        if (error !== WINDOW_EXHAUSTED) throw error;
        this.resume(start);
        await this.readMore();
      }
    }
  }

  private async readMore(): Promise<void> {
    const shift = await this.input.more(this.pos);
    this.pos -= shift;
    this.bytes = this.input.bytes;
    this.complete = this.input.complete;
  }

  private rowStart(): RowStart {
    const { bits, count, padding, atMarker, pos, mcus, nextRestart } = this;
    return { bits, count, padding, atMarker, pos, mcus, nextRestart, predictors: this.scan.map((c) => c.pred) };
  }

  private resume(start: RowStart): void {
    ({ bits: this.bits, count: this.count, padding: this.padding, atMarker: this.atMarker, pos: this.pos } = start);
    ({ mcus: this.mcus, nextRestart: this.nextRestart } = start);
    this.scan.forEach((c, i) => {
      c.pred = start.predictors[i]!;
    });
    this.block.fill(0); // the interrupted block's coefficients so far
  }

  /** One MCU row from the bytes at hand; throws {@link WINDOW_EXHAUSTED} when a streamed window runs out. */
  private decodeRowAtHand(intoNext: boolean): void {
    const { scan, block, workspace, restartInterval } = this;
    for (let mx = 0; mx < this.mcusAcross; mx++) {
      if (restartInterval !== 0 && this.mcus !== 0 && this.mcus % restartInterval === 0) this.restart();
      for (let ci = 0; ci < scan.length; ci++) {
        const c = scan[ci]!;
        const { size, stride, h, v } = c;
        const plane = intoNext ? c.next : c.cur;
        for (let by = 0; by < v; by++) {
          for (let bx = 0; bx < h; bx++) {
            const last = size === 1 ? this.decodeDcOnly(c) : this.decodeBlock(c);
            const offset = by * size * stride + (mx * h + bx) * size;
            if (last === 0) {
              // Flat block: the 8x8 multipliers include 1/8, the others do not.
              const value = (size === 8 ? block[0]! : block[0]! / 8) + 128;
              if (size === 1) plane[offset] = value;
              else {
                for (let r = 0, p = offset; r < size; r++, p += stride) {
                  for (let x = 0; x < size; x++) plane[p + x] = value;
                }
              }
              continue;
            }
            if (size === 8) idct8(block, plane, offset, stride, workspace);
            else if (size === 4) idct4(block, plane, offset, stride, workspace);
            else idct2(block, plane, offset, stride, workspace);
            block.fill(0);
          }
        }
      }
      this.mcus++;
    }
    if (this.padding > this.count) throw new MalformedImageError('JPEG scan data ends early (truncated or damaged file)');
  }

  /** Appends bytes to the bit buffer until it holds at least 25 bits; zeros once the data ends. */
  private fill(): void {
    const bytes = this.bytes;
    let { bits, count, pos } = this;
    while (count <= 24) {
      let byte = 0;
      if (!this.atMarker) {
        if (pos < bytes.length) {
          byte = bytes[pos]!;
          if (byte !== 0xff) pos++;
          else if (bytes[pos + 1] === 0) pos += 2;
          else if (pos + 1 === bytes.length && !this.complete) throw WINDOW_EXHAUSTED;
          else {
            this.atMarker = true; // pos stays on the marker's 0xFF
            byte = 0;
            this.padding += 8;
          }
        } else if (!this.complete) {
          throw WINDOW_EXHAUSTED;
        } else {
          this.atMarker = true;
          this.padding += 8;
        }
      } else this.padding += 8;
      bits = (bits << 8) | byte;
      count += 8;
    }
    this.bits = bits;
    this.count = count;
    this.pos = pos;
  }

  /** A code longer than the lookahead: ITU T.81 F.2.2.3 from 10 bits on (the buffer holds >= 16). */
  private decodeLong(table: HuffmanTable, bits: number, count: number): number {
    const code16 = (bits >>> (count - 16)) & 0xffff;
    for (let length = LOOKAHEAD + 1; length <= 16; length++) {
      const code = code16 >>> (16 - length);
      if (code <= table.maxCode[length]!) {
        const symbol = table.symbols[code + table.symbolOffset[length]!];
        if (symbol === undefined) break;
        this.count = count - length;
        return symbol;
      }
    }
    throw new MalformedImageError('JPEG scan has an invalid Huffman code (damaged file)');
  }

  /** Decodes a block's DC difference into the component's predictor (T.81 F.2.2.1), leaving the bit reader past it. */
  private decodeDc(c: Component): void {
    let bits = this.bits;
    let count = this.count;
    if (count < 25) {
      this.fill();
      bits = this.bits;
      count = this.count;
    }
    const dcLook = c.dc.lookup[(bits >>> (count - LOOKAHEAD)) & LOOKAHEAD_MASK]!;
    let size: number;
    if (dcLook !== 0) {
      count -= dcLook >> 8;
      size = dcLook & 255;
    } else {
      size = this.decodeLong(c.dc, bits, count);
      count = this.count;
    }
    if (size !== 0) {
      if (count < size) {
        this.count = count;
        this.fill();
        bits = this.bits;
        count = this.count;
      }
      count -= size;
      let diff = (bits >>> count) & ((1 << size) - 1);
      if (diff < 1 << (size - 1)) diff += 1 - (1 << size);
      c.pred += diff;
    }
    this.bits = bits;
    this.count = count;
  }

  /** Decodes one block into `block` (dequantised, natural order); returns the last zig-zag index set. */
  private decodeBlock(c: Component): number {
    const block = this.block;
    const mult = c.mult;
    this.decodeDc(c);
    let bits = this.bits;
    let count = this.count;
    block[0] = c.pred * mult[0]!;
    const { fast, lookup } = c.ac;
    let last = 0;
    for (let k = 1; k < 64; ) {
      if (count < 25) {
        this.count = count;
        this.fill();
        bits = this.bits;
        count = this.count;
      }
      const peek = (bits >>> (count - LOOKAHEAD)) & LOOKAHEAD_MASK;
      const f = fast[peek]!;
      if (f !== 0) {
        count -= f & 15;
        k += (f >> 4) & 15;
        if (k > 63) throw badRun();
        const z = ZIGZAG[k]!;
        block[z] = (f >> 8) * mult[z]!;
        last = k++;
        continue;
      }
      const look = lookup[peek]!;
      let rs: number;
      if (look !== 0) {
        count -= look >> 8;
        rs = look & 255;
      } else {
        rs = this.decodeLong(c.ac, bits, count);
        count = this.count;
      }
      const s = rs & 15;
      if (s === 0) {
        if (rs !== 0xf0) break; // end of block
        k += 16;
        continue;
      }
      k += rs >> 4;
      if (k > 63) throw badRun();
      if (count < s) {
        this.count = count;
        this.fill();
        bits = this.bits;
        count = this.count;
      }
      count -= s;
      let value = (bits >>> count) & ((1 << s) - 1);
      if (value < 1 << (s - 1)) value += 1 - (1 << s);
      const z = ZIGZAG[k]!;
      block[z] = value * mult[z]!;
      last = k++;
    }
    this.bits = bits;
    this.count = count;
    return last;
  }

  /** {@link decodeBlock} for 1/8 scale: the AC codes are read past, only the DC coefficient is kept. */
  private decodeDcOnly(c: Component): number {
    this.decodeDc(c);
    let bits = this.bits;
    let count = this.count;
    this.block[0] = c.pred * c.mult[0]!;
    const skip = c.ac.skip;
    for (let k = 1; k < 64; ) {
      if (count < 25) {
        this.count = count;
        this.fill();
        bits = this.bits;
        count = this.count;
      }
      // A code of at most 9 bits and up to 15 extra bits: at most 24 of the 25 bits at hand.
      let entry = skip[(bits >>> (count - LOOKAHEAD)) & LOOKAHEAD_MASK]!;
      if (entry === 0) {
        const rs = this.decodeLong(c.ac, bits, count);
        count = this.count;
        entry = (rs & 15) !== 0 ? (1 << 12) | (((rs >> 4) + 1) << 5) | (rs & 15) : (rs === 0xf0 ? 16 : 64) << 5;
        if (count < (rs & 15)) {
          this.count = count;
          this.fill();
          bits = this.bits;
          count = this.count;
        }
      }
      count -= entry & 31;
      k += (entry >> 5) & 127;
      if (k > 64 && (entry & (1 << 12)) !== 0) throw badRun();
    }
    this.bits = bits;
    this.count = count;
    return 0;
  }

  /** At the end of a restart interval: finds RSTn, resets the bit buffer and the DC predictors. */
  private restart(): void {
    if (this.padding > this.count) throw new MalformedImageError('JPEG restart interval ends early (truncated or damaged file)');
    const bytes = this.bytes;
    let pos = this.pos;
    for (;;) {
      while (pos < bytes.length && bytes[pos] !== 0xff) pos++;
      let code = pos + 1;
      while (code < bytes.length && bytes[code] === 0xff) code++;
      if (code >= bytes.length) {
        if (!this.complete) throw WINDOW_EXHAUSTED;
        throw new MalformedImageError('JPEG scan data ends early (truncated file)');
      }
      const marker = bytes[code]!;
      if (marker === 0) {
        pos = code + 1; // stuffed 0xFF inside data left over from the interval
        continue;
      }
      if (marker !== 0xd0 + this.nextRestart) {
        throw new MalformedImageError(`JPEG scan has marker 0x${marker.toString(16)} where RST${this.nextRestart} belongs (damaged file)`);
      }
      pos = code + 1;
      break;
    }
    this.pos = pos;
    this.bits = 0;
    this.count = 0;
    this.padding = 0;
    this.atMarker = false;
    this.nextRestart = (this.nextRestart + 1) & 7;
    for (const c of this.scan) c.pred = 0;
  }
}

function badRun(): MalformedImageError {
  return new MalformedImageError('JPEG block has coefficients past its end (damaged file)');
}
