import { checkBand, type BandedImage } from '../core/bands';
import { releaseBuffer } from '../core/bytes';
import { yieldToEventLoop } from '../core/yield';
import { crc32 } from './crc32';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Filtered scanline bytes handed to the compressor per write: rows are batched up to this size. */
const BATCH_BYTES = 128 * 1024;
/** Compressed bytes below which a band's output waits for the next band rather than going out as a small IDAT. */
const MIN_IDAT_BYTES = 16 * 1024;
/** Largest IDAT data written: more pending compressed output is split. */
const MAX_IDAT_BYTES = 256 * 1024;

/**
 * PNG of a banded image (8-bit RGB when `image.opaque`, else RGBA), bytes yielded as compressed
 * data becomes available.
 *
 * The signature and IHDR come first, before any band is pulled. Each row is filtered with the
 * filter type (of the five) whose output has the least sum of absolute values as signed bytes
 * (libpng's heuristic) and fed to a `CompressionStream('deflate')` (zlib's default level), whose
 * output goes out as IDAT chunks of at most 256 KiB: after each band once 16 KiB are pending, and
 * the rest at the end. Memory is O(width): six rows, one batch of filtered rows (≤ 128 KiB, or one
 * row) and the pending compressed output; batches and compressed parts are released as soon as
 * they are used up, not left to the collector. Band buffers are not kept past the next pull. Every
 * yielded chunk is a fresh array. Abandoning the iteration (`return()`) releases the compression
 * stream and the band source.
 *
 * @example
 * const body = ReadableStream.from(encodePngBands(upscaled));
 */
export async function* encodePngBands(image: BandedImage): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const { width, height, opaque } = image;
  if (!isDimension(width) || !isDimension(height)) throw new RangeError(`a PNG cannot be ${width}x${height}`);
  const bpp = opaque ? 3 : 4;
  const rowBytes = width * bpp;
  const stride = rowBytes + 1;

  yield headerBytes(width, height, opaque ? 2 : 6);

  const stream = new CompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const pending = new PendingBytes();
  // Read the compressed side as it comes, so that writes never wait on a full readable.
  const pumping = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      pending.push(value);
    }
  })();
  pumping.catch(() => {}); // reported by the awaiting below, or irrelevant once abandoned
  let completed = false;
  try {
    let previous = new Uint8Array(rowBytes);
    let line = new Uint8Array(rowBytes);
    const scratch = new Uint8Array(4 * rowBytes);
    const rowsPerBatch = Math.max(1, Math.floor(BATCH_BYTES / stride));
    let next = 0;
    for await (const band of image.bands) {
      checkBand(band, image, next);
      const { data } = band;
      for (let r = 0; r < band.height; ) {
        const rows = Math.min(rowsPerBatch, band.height - r);
        // A fresh batch per write, released once the write has settled (the stream may hold it
        // until then): together the batches are as large as the image.
        const batch = new Uint8Array(rows * stride);
        for (let k = 0; k < rows; k++, r++) {
          if (opaque) rgbaToRgb(data, r * width * 4, line, width);
          else line.set(data.subarray(r * rowBytes, (r + 1) * rowBytes));
          filterRow(line, previous, bpp, batch, k * stride, scratch);
          const swap = previous;
          previous = line;
          line = swap;
        }
        await writer.write(batch);
        releaseBuffer(batch);
        // Filtering and deflating a band takes hundreds of milliseconds: let other requests in.
        await yieldToEventLoop();
        while (pending.bytes >= MAX_IDAT_BYTES) yield idatBytes(pending, MAX_IDAT_BYTES);
      }
      next = band.y + band.height;
      if (pending.bytes >= MIN_IDAT_BYTES) yield idatBytes(pending, MAX_IDAT_BYTES);
    }
    if (next !== height) throw new RangeError(`bands ended at row ${next} of ${height}`);
    await writer.close();
    await pumping;
    completed = true;
    while (pending.bytes > 0) yield idatBytes(pending, MAX_IDAT_BYTES);
    yield chunkBytes('IEND', 0, () => {});
  } finally {
    if (!completed) {
      reader.cancel().catch(() => {});
      writer.abort().catch(() => {});
    }
  }
}

function isDimension(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 0x7fffffff;
}

/** Compressed output waiting to be wrapped in an IDAT. */
class PendingBytes {
  private readonly parts: Uint8Array[] = [];
  private offset = 0; // into parts[0]
  bytes = 0;

  push(part: Uint8Array): void {
    if (part.byteLength === 0) return;
    this.parts.push(part);
    this.bytes += part.byteLength;
  }

  /** Moves the first `count` pending bytes into `target` at `at`. */
  takeInto(target: Uint8Array, at: number, count: number): void {
    this.bytes -= count;
    while (count > 0) {
      const part = this.parts[0]!;
      const n = Math.min(count, part.byteLength - this.offset);
      target.set(part.subarray(this.offset, this.offset + n), at);
      at += n;
      count -= n;
      this.offset += n;
      if (this.offset === part.byteLength) {
        releaseBuffer(this.parts.shift()!);
        this.offset = 0;
      }
    }
  }
}

/** Signature and IHDR (8-bit, deflate, adaptive filtering, not interlaced). */
function headerBytes(width: number, height: number, colourType: number): Uint8Array<ArrayBuffer> {
  const ihdr = chunkBytes('IHDR', 13, (data, view) => {
    view.setUint32(0, width);
    view.setUint32(4, height);
    data.set([8, colourType, 0, 0, 0], 8);
  });
  const out = new Uint8Array(SIGNATURE.length + ihdr.length);
  out.set(SIGNATURE);
  out.set(ihdr, SIGNATURE.length);
  return out;
}

function idatBytes(pending: PendingBytes, max: number): Uint8Array<ArrayBuffer> {
  return chunkBytes('IDAT', Math.min(max, pending.bytes), (data) => pending.takeInto(data, 0, data.length));
}

/** A chunk of `length` data bytes that `fill` writes: length, type, data, CRC-32 of type and data. */
function chunkBytes(type: string, length: number, fill: (data: Uint8Array, view: DataView) => void): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12 + length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  fill(out.subarray(8, 8 + length), new DataView(out.buffer, 8, length));
  view.setUint32(8 + length, crc32(out.subarray(4, 8 + length)));
  return out;
}

function rgbaToRgb(rgba: Uint8Array, from: number, rgb: Uint8Array, width: number): void {
  for (let x = 0, p = from, q = 0; x < width; x++, p += 4, q += 3) {
    rgb[q] = rgba[p]!;
    rgb[q + 1] = rgba[p + 1]!;
    rgb[q + 2] = rgba[p + 2]!;
  }
}

/** libpng's cost of a filtered byte: its magnitude read as a signed byte. */
const COST = Uint8Array.from({ length: 256 }, (_, v) => (v < 128 ? v : 256 - v));

/**
 * Writes the filter type byte and the filtered `line` (previous row `previous`, zeros above the
 * first) at `out[at]`, choosing of the five filter types the one whose output costs least (libpng's
 * minimum sum of absolute differences). `scratch` holds four rows: the Sub, Up, Average and Paeth
 * outputs, computed in one pass.
 */
function filterRow(line: Uint8Array, previous: Uint8Array, bpp: number, out: Uint8Array, at: number, scratch: Uint8Array): void {
  const n = line.length;
  const up0 = n;
  const average0 = 2 * n;
  const paeth0 = 3 * n;
  let none = 0;
  let sub = 0;
  let up = 0;
  let average = 0;
  let paeth = 0;
  for (let i = 0; i < n; i++) {
    const x = line[i]!;
    const b = previous[i]!;
    const a = i >= bpp ? line[i - bpp]! : 0;
    const c = i >= bpp ? previous[i - bpp]! : 0;
    // Paeth's predictor without branches: a if |p-a| is least, else b if |p-b| <= |p-c|, else c.
    const da = b - c;
    const db = a - c;
    const dc = da + db;
    const pa = da < 0 ? -da : da;
    const pb = db < 0 ? -db : db;
    const pc = dc < 0 ? -dc : dc;
    const notA = ((pb - pa) | (pc - pa)) >> 31;
    const bOrC = b ^ ((b ^ c) & ((pc - pb) >> 31));
    const predicted = a ^ ((a ^ bOrC) & notA);
    const rSub = (x - a) & 0xff;
    const rUp = (x - b) & 0xff;
    const rAverage = (x - ((a + b) >> 1)) & 0xff;
    const rPaeth = (x - predicted) & 0xff;
    scratch[i] = rSub;
    scratch[up0 + i] = rUp;
    scratch[average0 + i] = rAverage;
    scratch[paeth0 + i] = rPaeth;
    none += COST[x]!;
    sub += COST[rSub]!;
    up += COST[rUp]!;
    average += COST[rAverage]!;
    paeth += COST[rPaeth]!;
  }
  let filter = 0;
  let best = none;
  if (sub < best) {
    filter = 1;
    best = sub;
  }
  if (up < best) {
    filter = 2;
    best = up;
  }
  if (average < best) {
    filter = 3;
    best = average;
  }
  if (paeth < best) filter = 4;
  out[at] = filter;
  out.set(filter === 0 ? line : scratch.subarray((filter - 1) * n, filter * n), at + 1);
}
