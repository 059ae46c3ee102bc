/**
 * A response body pulled from `chunks`: each read of the stream runs the pipeline to its next
 * chunk, so a slow reader slows the work instead of queueing its output. A failure after the
 * headers are sent cannot become an error response any more: `onError` hears of it (to log it)
 * and the stream errors, which aborts the response and makes the Cache API refuse it. A reader
 * that cancels stops the pipeline.
 *
 * @example
 * return new Response(streamBody(prepared.body, (error) => console.error(error)), { headers });
 */
export function streamBody(chunks: AsyncGenerator<Uint8Array<ArrayBuffer>>, onError: (error: unknown) => void): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      async pull(controller) {
        try {
          const { done, value } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          onError(error);
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    // Pull only when the reader asks: no chunk is computed ahead of demand.
    { highWaterMark: 0 },
  );
}
