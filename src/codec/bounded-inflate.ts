/** Compressed bytes per write: deflate expands at most ~1032:1, so one write yields at most ~4 MB. */
const SLICE_BYTES = 4096;

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
  const writing = (async () => {
    for (const chunk of chunks) {
      for (let offset = 0; offset < chunk.byteLength; offset += SLICE_BYTES) await writer.write(chunk.subarray(offset, offset + SLICE_BYTES));
    }
    await writer.close();
  })();
  // Cancelling the reader (or a damaged stream) makes pending writes reject: expected, not an error.
  writing.catch(() => {});
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        return true;
      }
    }
  } catch {
    return false;
  }
}
