import { releaseBuffer } from '../core/bytes';
import { yieldToEventLoop } from '../core/yield';

/**
 * Compressed bytes per write to an inflater. Deflate expands at most ~1032:1 and a write is
 * inflated whole before its promise settles, so one write buffers at most ~4 MB inside the stream.
 */
const SLICE_BYTES = 4096;
/** Writes between yields to the event loop (1 MiB of compressed input): a large PNG takes a second to inflate. */
const SLICES_PER_YIELD = 256;

/**
 * Whether the zlib stream split over `chunks` inflates to more than `limit` bytes, found out
 * without ever holding more than one output chunk: the inflated bytes are counted and dropped, and
 * inflation stops as soon as the count passes the limit. This is how a decompression bomb (a few
 * kilobytes that inflate to gigabytes) is caught before a decoder that keeps its whole output runs.
 * A stream that is damaged is not judged here (`false`): the decoder reports it precisely.
 *
 * @example
 * if (await inflatesBeyond(idatChunks, expectedRawBytes)) throw new MalformedImageError('...');
 */
export async function inflatesBeyond(chunks: readonly Uint8Array<ArrayBuffer>[], limit: number): Promise<boolean> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const writing = feedInSlices(writer, chunks);
  // Cancelling the reader (or a damaged stream) makes pending writes reject: expected, not an error.
  writing.catch(() => {});
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      total += value.byteLength;
      releaseBuffer(value); // counted and dropped: freed now, not when V8 next collects
      if (total > limit) {
        await reader.cancel();
        return true;
      }
    }
  } catch {
    return false;
  }
}

/**
 * Writes `chunks` to a (de)compression stream in small slices, so that one write never makes more
 * than a few megabytes of output, yielding to the event loop every {@link SLICES_PER_YIELD} writes,
 * then closes it.
 *
 * @example
 * const feeding = feedInSlices(new DecompressionStream('deflate').writable.getWriter(), idatChunks);
 */
export async function feedInSlices(
  writer: { write(chunk: Uint8Array<ArrayBuffer>): Promise<void>; close(): Promise<void> },
  chunks: readonly Uint8Array<ArrayBuffer>[],
): Promise<void> {
  let slices = 0;
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.byteLength; offset += SLICE_BYTES) {
      await writer.write(chunk.subarray(offset, offset + SLICE_BYTES));
      if (++slices % SLICES_PER_YIELD === 0) await yieldToEventLoop();
    }
  }
  await writer.close();
}
