/**
 * `work`, or a rejection with the signal's reason as soon as the signal aborts: for calls that take
 * no signal themselves (R2 lookups, stream reads), so a deadline bounds them anyway.
 *
 * @example
 * const { done, value } = await abortable(reader.read(), AbortSignal.timeout(10_000));
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {}); // settles unobserved
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
