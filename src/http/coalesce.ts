/**
 * Request coalescing: concurrent calls with the same key share one computation. The first caller
 * starts the work; callers that arrive while it runs join it and get the same result (or the same
 * error). The key is forgotten as soon as the work settles, so a later call starts afresh (by then
 * the cache has the result, or the failure may have been transient).
 *
 * Scope is one isolate: each Worker isolate coalesces its own misses (isolates share nothing), and
 * the Cache API covers the rest once the first result is stored.
 *
 * @example
 * const inFlight = new Coalescer<boolean>();
 * const { result, joined } = inFlight.run(cacheKey, () => renderAndStore(...)); // joiners read the cache after
 */
export class Coalescer<T> {
  readonly #pending = new Map<string, Promise<T>>();

  /** The shared result for `key`, and whether this call joined work another call had started. */
  run(key: string, work: () => Promise<T>): { readonly result: Promise<T>; readonly joined: boolean } {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return { result: pending, joined: true };
    const result = work().finally(() => this.#pending.delete(key));
    this.#pending.set(key, result);
    return { result, joined: false };
  }

  /** Keys with work in progress. */
  get size(): number {
    return this.#pending.size;
  }
}
