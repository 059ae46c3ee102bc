import { concat } from './png-writer';

/*
 * A minimal JPEG writer for tests: every 8x8 block is flat (DC only, AC all zero), which is enough
 * to make the variants jpeg-js cannot encode: greyscale, Adobe CMYK, progressive (SOF2), and files
 * with many scans. Sampling is 1x1 for every component and the quantiser is 1 everywhere.
 */

export interface JpegOptions {
  /** 1 (grey), 3 (YCbCr) or 4 (CMYK, with an Adobe APP14 marker saying so). */
  readonly components: 1 | 3 | 4;
  readonly progressive?: boolean;
  /** Extra identical DC scans after the first (a progressive file's scan count, for guards). */
  readonly extraScans?: number;
  /** Segments inserted after SOI (e.g. an APP1 payload). */
  readonly segments?: readonly Uint8Array[];
}

/** The flat value of block (bx, by) of component c. */
function blockValue(bx: number, by: number, c: number): number {
  return (bx * 40 + by * 25 + c * 70) % 256;
}

/**
 * A JPEG `width` x `height` whose blocks are flat colours.
 *
 * @example
 * const cmyk = jpegFile(24, 16, { components: 4 });
 */
export function jpegFile(width: number, height: number, options: JpegOptions): Uint8Array<ArrayBuffer> {
  const { components, progressive = false, extraScans = 0, segments = [] } = options;
  const ids = Array.from({ length: components }, (_, i) => i + 1);
  const parts: Uint8Array[] = [Uint8Array.of(0xff, 0xd8), ...segments];
  if (components === 4) parts.push(segment(0xee, [...ascii('Adobe'), 0, 100, 0, 0, 0, 0, 0])); // transform 0: CMYK
  parts.push(segment(0xdb, [0, ...new Array<number>(64).fill(1)]));
  parts.push(segment(progressive ? 0xc2 : 0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, components, ...ids.flatMap((id) => [id, 0x11, 0])]));
  parts.push(segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]));
  if (!progressive) parts.push(segment(0xc4, [0x10, 1, ...new Array<number>(15).fill(0), 0x00]));
  const scanHeader = segment(0xda, [components, ...ids.flatMap((id) => [id, 0x00]), 0, progressive ? 0 : 63, 0]);
  const data = entropyData(width, height, components, !progressive);
  for (let scan = 0; scan <= extraScans; scan++) parts.push(scanHeader, data);
  parts.push(Uint8Array.of(0xff, 0xd9));
  return concat(parts);
}

/** A marker segment: FF, marker, 16-bit length (itself included), payload. */
export function segment(marker: number, payload: readonly number[]): Uint8Array {
  const length = payload.length + 2;
  return Uint8Array.from([0xff, marker, length >> 8, length & 0xff, ...payload]);
}

// The standard luminance DC table (ITU T.81 K.3): code lengths per count, then categories 0..11.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

function entropyData(width: number, height: number, components: number, withAc: boolean): Uint8Array {
  const codes = huffmanCodes(DC_BITS, DC_VALUES);
  const bits = new BitWriter();
  const predictions = new Array<number>(components).fill(0);
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      for (let c = 0; c < components; c++) {
        const dc = 8 * (blockValue(bx, by, c) - 128); // F(0,0) of a flat block, quantiser 1
        const diff = dc - predictions[c]!;
        predictions[c] = dc;
        const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        const code = codes.get(category)!;
        bits.write(code.code, code.length);
        if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
        if (withAc) bits.write(0, 1); // EOB, the AC table's only code
      }
    }
  }
  return bits.finish();
}

/** Canonical Huffman codes from code-length counts (ITU T.81 C.2). */
function huffmanCodes(bits: readonly number[], values: readonly number[]): Map<number, { code: number; length: number }> {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  bits.forEach((count, i) => {
    for (let n = 0; n < count; n++) codes.set(values[k++]!, { code: code++, length: i + 1 });
    code <<= 1;
  });
  return codes;
}

/** MSB-first bit writer with JPEG byte stuffing (0xFF is followed by 0x00), padded with ones. */
class BitWriter {
  readonly #bytes: number[] = [];
  #current = 0;
  #filled = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#current = (this.#current << 1) | ((value >> i) & 1);
      if (++this.#filled === 8) this.#flush();
    }
  }

  finish(): Uint8Array {
    while (this.#filled !== 0) this.write(1, 1);
    return Uint8Array.from(this.#bytes);
  }

  #flush(): void {
    this.#bytes.push(this.#current);
    if (this.#current === 0xff) this.#bytes.push(0);
    this.#current = 0;
    this.#filled = 0;
  }
}

function ascii(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}
