/**
 * Times the stages of one request (fetch, decode, infer, encode, ...) for the `Server-Timing`
 * response header, so a benchmark or a browser's devtools can see where the time went.
 * Note: on Cloudflare's edge, clocks advance only across I/O (a Spectre mitigation), so
 * CPU-only stages read 0 there; local workerd (wrangler dev) measures them.
 *
 * @example
 * const timer = new StageTimer();
 * const image = await timer.time('decode', () => codecs.decode(bytes, header));
 * response.headers.set('Server-Timing', timer.header()); // decode;dur=12.3
 */
export class StageTimer {
  readonly #stages: { name: string; ms: number }[] = [];

  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.#stages.push({ name, ms: performance.now() - start });
    }
  }

  /** Stage durations in milliseconds, in the order they finished. */
  get stages(): readonly { readonly name: string; readonly ms: number }[] {
    return this.#stages;
  }

  /** The `Server-Timing` value (W3C Server Timing): `name;dur=ms` per stage. */
  header(): string {
    return this.#stages.map(({ name, ms }) => `${name};dur=${ms.toFixed(1)}`).join(', ');
  }
}
