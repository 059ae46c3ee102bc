import { checkBand, type BandedImage } from '../core/bands';

/*
 * A baseline (SOF0) JPEG encoder that takes its pixels band by band and hands back the bytes of
 * each 8-row MCU row as soon as it is coded, so that an upscaled image can be streamed to the
 * client without ever being held whole. YCbCr 4:4:4 (no chroma subsampling: upscaled detail is
 * the product), the ITU T.81 Annex K quantisation and Huffman tables, quality scaled as IJG
 * libjpeg scales it, and the Arai-Agui-Nakajima float DCT with the quantiser folded into its
 * output scaling.
 */

/** The largest side a JPEG frame header can express. */
const MAX_SIDE = 0xffff;

/**
 * Encodes `image`'s RGB as a baseline JPEG (alpha is ignored: the caller flattens translucent
 * pixels first), yielding the headers, then the entropy-coded bytes of each MCU row of 8 output
 * rows as it completes; the last chunk ends with EOI. Only an 8-row stripe of the image is kept.
 * Every chunk is a fresh buffer the caller may keep. `quality` and the image size are checked
 * when this is called, not when the first chunk is pulled.
 *
 * @example
 * const body = streamBody(encodeJpegBands(upscaled, 85), log);
 */
export function encodeJpegBands(image: BandedImage, quality: number): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`JPEG quality must be an integer 1..100, not ${quality}`);
  const { width, height } = image;
  if (!isSide(width) || !isSide(height)) throw new RangeError(`JPEG cannot hold a ${width}x${height} image (1..${MAX_SIDE} per side)`);
  return encodeChunks(image, quality);
}

function isSide(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_SIDE;
}

async function* encodeChunks(image: BandedImage, quality: number): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const luma = componentTables(LUMA_QUANTISER, quality, LUMA_DC, LUMA_AC);
  const chroma = componentTables(CHROMA_QUANTISER, quality, CHROMA_DC, CHROMA_AC);
  yield headers(image.width, image.height, luma.quantiser, chroma.quantiser);
  const stripe = new Stripe(image.width);
  const coder = new EntropyCoder();
  let next = 0;
  for await (const band of image.bands) {
    checkBand(band, image, next);
    for (let row = 0; row < band.height; row++) {
      stripe.addRow(band.data, row * band.width * 4);
      if (!stripe.full) continue;
      codeStripe(stripe, coder, luma, chroma);
      yield coder.take();
    }
    next = band.y + band.height;
  }
  if (next !== image.height) throw new RangeError(`bands ended at row ${next} of ${image.height}`);
  if (stripe.rows > 0) {
    // The last, partial MCU row goes out with the end of the file.
    stripe.padRows();
    codeStripe(stripe, coder, luma, chroma);
  }
  yield coder.finish();
}

/** Codes the stripe's MCU row (one block per component, left to right) and empties the stripe. */
function codeStripe(stripe: Stripe, coder: EntropyCoder, luma: ComponentTables, chroma: ComponentTables): void {
  const { stride } = stripe;
  for (let x = 0; x < stride; x += 8) {
    coder.codeBlock(stripe.y, x, stride, 0, luma);
    coder.codeBlock(stripe.cb, x, stride, 1, chroma);
    coder.codeBlock(stripe.cr, x, stride, 2, chroma);
  }
  stripe.clear();
}

// ---- Colour: full-range JFIF YCbCr, level-shifted to be centred on zero for the DCT. ----

const KR = 0.299;
const KB = 0.114;
const KG = 1 - KR - KB;
/** Cb and Cr are B - Y and R - Y scaled to span the same 255 levels as Y. */
const CB_SCALE = 0.5 / (1 - KB);
const CR_SCALE = 0.5 / (1 - KR);

/**
 * The 8 rows of one MCU row as three float planes, each padded on the right to a whole number of
 * blocks by repeating the last column (repetition makes the padding nearly free to code).
 */
class Stripe {
  readonly stride: number;
  readonly y: Float32Array;
  readonly cb: Float32Array;
  readonly cr: Float32Array;
  rows = 0;

  constructor(private readonly width: number) {
    this.stride = Math.ceil(width / 8) * 8;
    this.y = new Float32Array(this.stride * 8);
    this.cb = new Float32Array(this.stride * 8);
    this.cr = new Float32Array(this.stride * 8);
  }

  get full(): boolean {
    return this.rows === 8;
  }

  /** Converts the RGBA row at `offset` of `rgba` into the next row of the planes (a copy). */
  addRow(rgba: Uint8Array, offset: number): void {
    const { y, cb, cr, width, stride } = this;
    const start = this.rows * stride;
    for (let x = 0, i = offset, o = start; x < width; x++, i += 4, o++) {
      const r = rgba[i]!;
      const b = rgba[i + 2]!;
      const luma = KR * r + KG * rgba[i + 1]! + KB * b;
      y[o] = luma - 128;
      cb[o] = (b - luma) * CB_SCALE;
      cr[o] = (r - luma) * CR_SCALE;
    }
    const last = start + width - 1;
    y.fill(y[last]!, last + 1, start + stride);
    cb.fill(cb[last]!, last + 1, start + stride);
    cr.fill(cr[last]!, last + 1, start + stride);
    this.rows++;
  }

  /** Fills the rows below the image's last one with copies of it, completing the last MCU row. */
  padRows(): void {
    const { stride } = this;
    const last = (this.rows - 1) * stride;
    for (; this.rows < 8; this.rows++) {
      for (const plane of [this.y, this.cb, this.cr]) plane.copyWithin(this.rows * stride, last, last + stride);
    }
  }

  clear(): void {
    this.rows = 0;
  }
}

// ---- Tables (ITU T.81 Annex K) ----

/** Annex K.1's luminance quantiser for quality 50, row-major. */
const LUMA_QUANTISER = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** Annex K.2's chrominance quantiser for quality 50, row-major. */
const CHROMA_QUANTISER = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

/** A Huffman table as DHT stores it: how many codes there are of each length 1..16, then the symbols in code order. */
interface HuffmanSpec {
  readonly counts: readonly number[];
  readonly symbols: readonly number[];
}

/** DC symbols are the bit length of the difference, 0..11, for both tables. */
const DC_SYMBOLS = Array.from({ length: 12 }, (_, i) => i);

const LUMA_DC: HuffmanSpec = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: DC_SYMBOLS };
const CHROMA_DC: HuffmanSpec = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: DC_SYMBOLS };

/** AC symbols are (zero run << 4) | bit length of the value; 0x00 ends the block, 0xf0 skips 16 zeros. */
const LUMA_AC: HuffmanSpec = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42,
    0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35,
    0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
    0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
    0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4,
    0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

const CHROMA_AC: HuffmanSpec = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1,
    0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a,
    0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66,
    0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
    0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4,
    0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

/** Zigzag position -> row-major index: the order JPEG stores a block in, low frequencies first. */
const ZIGZAG = zigzagOrder();

function zigzagOrder(): Uint8Array {
  const order = new Uint8Array(64);
  let k = 0;
  for (let diagonal = 0; diagonal < 15; diagonal++) {
    // Odd anti-diagonals run down and to the left, even ones up and to the right.
    for (let i = 0; i <= diagonal; i++) {
      const row = diagonal % 2 === 1 ? i : diagonal - i;
      const col = diagonal - row;
      if (row < 8 && col < 8) order[k++] = row * 8 + col;
    }
  }
  return order;
}

/** A Huffman table as the coder uses it: code and length by symbol. */
interface HuffmanCodes {
  readonly codes: Uint16Array;
  readonly lengths: Uint8Array;
}

/** Everything the coder needs for one component: its quantiser, as written and as multipliers, and its Huffman codes. */
interface ComponentTables {
  /** Quantiser steps in zigzag order, as DQT stores them. */
  readonly quantiser: Uint8Array;
  /** Per zigzag position, what multiplies the AAN DCT's output to give the quantised coefficient. */
  readonly multipliers: Float32Array;
  readonly dcSpec: HuffmanSpec;
  readonly acSpec: HuffmanSpec;
  readonly dc: HuffmanCodes;
  readonly ac: HuffmanCodes;
}

function componentTables(base: readonly number[], quality: number, dcSpec: HuffmanSpec, acSpec: HuffmanSpec): ComponentTables {
  const quantiser = new Uint8Array(64);
  const multipliers = new Float32Array(64);
  for (let k = 0; k < 64; k++) {
    const index = ZIGZAG[k]!;
    const step = scaleStep(base[index]!, quality);
    quantiser[k] = step;
    multipliers[k] = 1 / (step * AAN_SCALE[index >> 3]! * AAN_SCALE[index & 7]! * 8);
  }
  return { quantiser, multipliers, dcSpec, acSpec, dc: huffmanCodes(dcSpec), ac: huffmanCodes(acSpec) };
}

/** IJG libjpeg's quality scaling: a percentage of the Annex K step, 5000/q below 50 and 200-2q above, kept to baseline's 8 bits. */
function scaleStep(step: number, quality: number): number {
  const percent = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
  return Math.min(255, Math.max(1, Math.floor((step * percent + 50) / 100)));
}

/** Assigns canonical codes (T.81 Annex C): consecutive within a length, doubling to the next length. */
function huffmanCodes(spec: HuffmanSpec): HuffmanCodes {
  const codes = new Uint16Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < spec.counts[length - 1]!; i++, k++, code++) {
      const symbol = spec.symbols[k]!;
      codes[symbol] = code;
      lengths[symbol] = length;
    }
    code <<= 1;
  }
  return { codes, lengths };
}

// ---- Headers ----

function headers(width: number, height: number, lumaQuantiser: Uint8Array, chromaQuantiser: Uint8Array): Uint8Array<ArrayBuffer> {
  const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));
  const components = [1, 2, 3];
  const tableFor = (id: number): number => (id === 1 ? 0 : 1);
  const huffman = (tableClass: number, id: number, spec: HuffmanSpec): number[] => [(tableClass << 4) | id, ...spec.counts, ...spec.symbols];
  return Uint8Array.from([
    0xff,
    0xd8,
    // JFIF 1.01, aspect ratio 1:1, no thumbnail: what says "YCbCr" to every decoder.
    ...segment(0xe0, [...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0, ...lumaQuantiser, 1, ...chromaQuantiser]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, ...components.flatMap((id) => [id, 0x11, tableFor(id)])]),
    ...segment(0xc4, [...huffman(0, 0, LUMA_DC), ...huffman(1, 0, LUMA_AC), ...huffman(0, 1, CHROMA_DC), ...huffman(1, 1, CHROMA_AC)]),
    // One interleaved scan over the whole 0..63 spectrum, no successive approximation: baseline.
    ...segment(0xda, [3, ...components.flatMap((id) => [id, tableFor(id) * 0x11]), 0, 63, 0]),
  ]);
}

/** A marker segment: FF, marker, a 16-bit length that counts itself, payload. */
function segment(marker: number, payload: readonly number[] | Uint8Array): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

// ---- Forward DCT (Arai, Agui and Nakajima) ----

const C4 = Math.cos(Math.PI / 4);
const C2 = Math.cos(Math.PI / 8);
const C6 = Math.cos((3 * Math.PI) / 8);

/**
 * The AAN DCT leaves output (u, v) scaled by 8 * s(u) * s(v) with these s; folding that into the
 * quantiser's multipliers costs nothing and saves five multiplications per 8 points.
 */
const AAN_SCALE = Array.from({ length: 8 }, (_, k) => (k === 0 ? 1 : Math.SQRT2 * Math.cos((k * Math.PI) / 16)));

/** The 8x8 block at `offset` of `plane` (rows `stride` apart) into `out`, row-major, AAN-scaled. */
function forwardDct(plane: Float32Array, offset: number, stride: number, out: Float32Array): void {
  for (let row = 0; row < 8; row++) dct8(plane, offset + row * stride, 1, out, row * 8, 1);
  for (let col = 0; col < 8; col++) dct8(out, col, 8, out, col, 8);
}

/** One 8-point AAN DCT: 5 multiplications and 29 additions. */
function dct8(src: Float32Array, from: number, step: number, dst: Float32Array, to: number, outStep: number): void {
  const d0 = src[from]!;
  const d1 = src[from + step]!;
  const d2 = src[from + 2 * step]!;
  const d3 = src[from + 3 * step]!;
  const d4 = src[from + 4 * step]!;
  const d5 = src[from + 5 * step]!;
  const d6 = src[from + 6 * step]!;
  const d7 = src[from + 7 * step]!;
  const s07 = d0 + d7;
  const s16 = d1 + d6;
  const s25 = d2 + d5;
  const s34 = d3 + d4;
  const t07 = d0 - d7;
  const t16 = d1 - d6;
  const t25 = d2 - d5;
  const t34 = d3 - d4;

  // Even part: a 4-point DCT of the sums.
  const e0 = s07 + s34;
  const e3 = s07 - s34;
  const e1 = s16 + s25;
  const e2 = s16 - s25;
  const rotation = (e2 + e3) * C4;
  dst[to] = e0 + e1;
  dst[to + 4 * outStep] = e0 - e1;
  dst[to + 2 * outStep] = e3 + rotation;
  dst[to + 6 * outStep] = e3 - rotation;

  // Odd part: the differences, through one shared rotation.
  const o0 = t34 + t25;
  const o1 = t25 + t16;
  const o2 = t16 + t07;
  const z5 = (o0 - o2) * C6;
  const z2 = (C2 - C6) * o0 + z5;
  const z4 = (C2 + C6) * o2 + z5;
  const z3 = o1 * C4;
  const z11 = t07 + z3;
  const z13 = t07 - z3;
  dst[to + 5 * outStep] = z13 + z2;
  dst[to + 3 * outStep] = z13 - z2;
  dst[to + outStep] = z11 + z4;
  dst[to + 7 * outStep] = z11 - z4;
}

// ---- Entropy coding ----

/**
 * Room kept free before each block: 64 coefficients of at most 16 + 11 bits, every byte possibly
 * stuffed, with margin.
 */
const BLOCK_ROOM = 512;

/** Huffman-codes quantised blocks into a growing buffer that {@link take} empties. */
class EntropyCoder {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  /** Bits not yet written, right-aligned in the low `bitCount` bits (higher ones are stale). */
  private bits = 0;
  private bitCount = 0;
  private readonly predictions = [0, 0, 0];
  private readonly coefficients = new Float32Array(64);
  private readonly quantised = new Int32Array(64);

  codeBlock(plane: Float32Array, offset: number, stride: number, component: number, tables: ComponentTables): void {
    if (this.bytes.length - this.length < BLOCK_ROOM) this.grow();
    const { coefficients, quantised } = this;
    forwardDct(plane, offset, stride, coefficients);
    const { multipliers } = tables;
    // Rounds half up, as Math.round does but faster: the offset makes every coefficient
    // (|c| < 2048) positive, where truncation is floor.
    for (let k = 0; k < 64; k++) quantised[k] = ((coefficients[ZIGZAG[k]!]! * multipliers[k]! + 16384.5) | 0) - 16384;

    // DC: the difference from this component's previous block.
    const dc = quantised[0]!;
    this.putValue(dc - this.predictions[component]!, 0, tables.dc);
    this.predictions[component] = dc;

    // AC: each non-zero value after its run of zeros, runs over 15 in steps of 16 (ZRL).
    const { codes, lengths } = tables.ac;
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const value = quantised[k]!;
      if (value === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) this.put(codes[0xf0]!, lengths[0xf0]!);
      this.putValue(value, run, tables.ac);
      run = 0;
    }
    if (run > 0) this.put(codes[0]!, lengths[0]!);
  }

  /** The symbol (run, bit length of `value`), then `value` in that many bits (negative ones as value - 1). */
  private putValue(value: number, run: number, table: HuffmanCodes): void {
    const magnitude = value < 0 ? -value : value;
    const size = 32 - Math.clz32(magnitude);
    const symbol = (run << 4) | size;
    this.put(table.codes[symbol]!, table.lengths[symbol]!);
    if (size > 0) this.put((value < 0 ? value - 1 : value) & ((1 << size) - 1), size);
  }

  /** Appends `length` (at most 16) bits of `code`, writing each completed byte, stuffing a zero after 0xFF. */
  private put(code: number, length: number): void {
    const bits = (this.bits << length) | code;
    let count = this.bitCount + length;
    while (count >= 8) {
      count -= 8;
      const byte = (bits >>> count) & 0xff;
      this.bytes[this.length++] = byte;
      if (byte === 0xff) this.bytes[this.length++] = 0;
    }
    this.bits = bits;
    this.bitCount = count;
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  /** A copy of the bytes completed since the last call. */
  take(): Uint8Array<ArrayBuffer> {
    const chunk = this.bytes.slice(0, this.length);
    this.length = 0;
    return chunk;
  }

  /** Pads the last byte with 1s (which no code is made of alone) and appends EOI; the last chunk. */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.bytes.length - this.length < BLOCK_ROOM) this.grow();
    if (this.bitCount > 0) this.put(0x7f, 7);
    this.bitCount = 0;
    this.bytes[this.length++] = 0xff;
    this.bytes[this.length++] = 0xd9;
    return this.take();
  }
}
