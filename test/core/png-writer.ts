import { concatBytes } from '../../src/core/bytes';
/*
 * A byte-level PNG writer for tests: the variants no encoder we ship produces (Adam7 interlacing,
 * APNG frames, 16-bit samples, lying headers, decompression bombs), written chunk by chunk.
 * Runs in Node and in workerd (zlib through CompressionStream).
 */
import { ADAM7, CHANNELS } from '../../src/codec/png-guard';

export interface PngChunk {
  readonly type: string;
  readonly data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG file: signature, then each chunk with its length and CRC. */
export function pngFile(chunks: readonly PngChunk[]): Uint8Array<ArrayBuffer> {
  const parts = [Uint8Array.from(SIGNATURE), ...chunks.map(({ type, data }) => chunkBytes(type, data))];
  return concat(parts);
}

/** IHDR: size, bit depth, colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA), interlace (1: Adam7). */
export function ihdr(width: number, height: number, depth: number, colourType: number, interlace = 0): PngChunk {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([depth, colourType, 0, 0, interlace], 8);
  return { type: 'IHDR', data };
}

/**
 * Unfiltered scanlines (filter type 0 on every row) of an image whose sample `c` at (x, y) is
 * `sample(x, y, c)` (0..2^depth-1), one pass per Adam7 pass when interlaced.
 */
export function scanlines(
  width: number,
  height: number,
  depth: 8 | 16,
  colourType: number,
  interlace: 0 | 1,
  sample: (x: number, y: number, c: number) => number,
): Uint8Array {
  const channels = CHANNELS[colourType]!;
  const bytesPerSample = depth / 8;
  const rows: number[] = [];
  const passes = interlace === 0 ? [[0, 0, 1, 1] as const] : ADAM7;
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      if (x0 >= width) break;
      rows.push(0);
      for (let x = x0; x < width; x += dx) {
        for (let c = 0; c < channels; c++) {
          const value = sample(x, y, c);
          if (bytesPerSample === 2) rows.push(value >> 8, value & 0xff);
          else rows.push(value);
        }
      }
    }
  }
  return Uint8Array.from(rows);
}

/** zlib-wraps `bytes` (the compression PNG's IDAT, iCCP and fdAT use). */
export async function deflate(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A complete PNG of the given samples: IHDR, optional extra chunks, one IDAT, IEND. */
export async function rawPng(
  width: number,
  height: number,
  options: { depth?: 8 | 16; colourType?: number; interlace?: 0 | 1; before?: PngChunk[]; after?: PngChunk[] } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { depth = 8, colourType = 2, interlace = 0, before = [], after = [] } = options;
  const max = (1 << depth) - 1;
  const data = scanlines(width, height, depth, colourType, interlace, (x, y, c) => Math.round((((x * 7 + y * 13 + c * 50) % 97) / 96) * max));
  return pngFile([
    ihdr(width, height, depth, colourType, interlace),
    ...before,
    { type: 'IDAT', data: await deflate(data) },
    ...after,
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
}

/** A big-endian uint32 followed by `rest` (APNG sequence numbers, frame control fields). */
export function u32(...values: number[]): Uint8Array {
  const data = new Uint8Array(values.length * 4);
  const view = new DataView(data.buffer);
  values.forEach((value, i) => {
    view.setUint32(i * 4, value);
  });
  return data;
}

function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = Uint8Array.from(type, (char) => char.charCodeAt(0));
  const typed = concat([typeBytes, data]);
  return concat([u32(data.length), typed, u32(crc32(typed))]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the one PNG chunks carry). */
export function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Concatenates byte arrays (the service's own helper). */
export const concat = concatBytes;
