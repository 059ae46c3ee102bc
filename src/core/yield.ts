/**
 * Lets queued macrotasks run: other requests (cache hits above all), timers such as the deadline's,
 * and the body's consumers. Decoding, inference and encoding are synchronous between their awaits,
 * and awaiting a promise only runs microtasks, so long stages call this between slices of their
 * work to keep the isolate responsive.
 *
 * @example
 * for (const tile of tiles) { await yieldToEventLoop(); run(tile); }
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
