/**
 * Takes turns between the requests that compute in one isolate, one slice of work per turn of the
 * event loop, so that whatever else is queued (cache hits above all, timers such as the deadline's,
 * the bodies' consumers) waits for at most one slice, not one slice per busy request.
 *
 * Decoding, inference and encoding are synchronous between their awaits, and awaiting a promise only
 * runs microtasks, so long stages ask for a turn between slices of their work. A plain
 * `setTimeout(0)` per request lets every busy request that is due run its slice before a hit queued
 * behind their timers (measured: cache hits waited 417 ms p99 in `npm run test:load` that way).
 *
 * How a turn is given: each waiting request re-arms its own zero-delay timer until it is first in
 * line *and* no other request has run a slice since it armed the timer. Each round of timers
 * therefore runs one slice, in arrival order, and a hit's task queued during a round runs before
 * the next slice. Every timer belongs to the request waiting on it: in workerd a timer set by one
 * request does not fire once that request has ended, so no request ever wakes another. A request
 * cancelled while it waits never fires again; the others then see it miss rounds and drop it from
 * the line (a live one that only looked late, behind a long synchronous task, rejoins at the end).
 */
export class SliceScheduler {
  readonly #line: Waiter[] = [];
  /** Slices started, so that a waiter can tell whether another ran since it armed its timer. */
  #slices = 0;
  /** Timer callbacks run, so that the line can tell a waiter that stopped firing. */
  #fires = 0;

  /** @param schedule runs `callback` as a later task of the event loop (a zero-delay timer). */
  constructor(private readonly schedule: (callback: () => void) => void = (callback) => setTimeout(callback, 0)) {}

  /** Resolves when it is the caller's turn: run one slice of work right after, then ask again. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, armedAt: this.#slices, firedAt: this.#fires };
      this.#line.push(waiter);
      this.schedule(() => this.#fire(waiter));
    });
  }

  /** Requests waiting for a turn. */
  get waiting(): number {
    return this.#line.length;
  }

  #fire(waiter: Waiter): void {
    waiter.firedAt = ++this.#fires;
    this.#dropStalledHead(waiter);
    if (!this.#line.includes(waiter)) this.#line.push(waiter);
    if (this.#line[0] === waiter && waiter.armedAt === this.#slices) {
      this.#line.shift();
      this.#slices++;
      waiter.resolve();
      return;
    }
    waiter.armedAt = this.#slices;
    this.schedule(() => this.#fire(waiter));
  }

  /**
   * Drops the first in line when it has missed rounds: every live waiter fires once a round, so a
   * head that has not fired while the line went round more than twice was cancelled.
   */
  #dropStalledHead(firing: Waiter): void {
    const head = this.#line[0];
    if (head === undefined || head === firing) return;
    if (this.#fires - head.firedAt > STALLED_ROUNDS * this.#line.length) this.#line.shift();
  }
}

interface Waiter {
  readonly resolve: () => void;
  /** {@link SliceScheduler} `#slices` when the waiter's timer was last armed. */
  armedAt: number;
  /** {@link SliceScheduler} `#fires` at the waiter's last timer callback. */
  firedAt: number;
}

/** Rounds a head may miss before the line drops it. */
const STALLED_ROUNDS = 2;

const isolateScheduler = new SliceScheduler();

/**
 * Waits for this request's next turn to compute (see {@link SliceScheduler}); other requests and
 * timers run meanwhile.
 *
 * @example
 * for (const tile of tiles) { await yieldToEventLoop(); run(tile); }
 */
export function yieldToEventLoop(): Promise<void> {
  return isolateScheduler.turn();
}
