import { describe, expect, it } from 'vitest';
import { SliceScheduler } from '../../src/core/yield';

/**
 * A deterministic event loop: tasks run one at a time in the order they were queued, and the
 * microtasks a task queues (a turn's continuation, the slice that follows) run before the next task.
 * `cancelled` names requests whose timers never fire again, as workerd drops a cancelled request's.
 */
class FakeEventLoop {
  readonly tasks: { owner: string; run: () => void }[] = [];
  readonly cancelled = new Set<string>();
  /** Owners whose next tasks go back to the end of the queue, this many times in all. */
  readonly deferred = new Map<string, number>();
  /** What ran, in order: "A" a slice of request A, "hit" another task. */
  readonly trace: string[] = [];
  owner = '';

  schedulerFor(): SliceScheduler {
    return new SliceScheduler((callback) => {
      const owner = this.owner;
      this.tasks.push({ owner, run: callback });
    });
  }

  post(label: string): void {
    this.tasks.push({ owner: label, run: () => this.trace.push(label) });
  }

  /** Runs `count` tasks (fewer if the queue empties). */
  async run(count: number): Promise<void> {
    for (let n = 0; n < count && this.tasks.length > 0; n++) await this.#runNext();
  }

  /** Runs tasks until none is queued. */
  async runAll(): Promise<void> {
    await this.run(10_000);
    if (this.tasks.length > 0) throw new Error(`still ${this.tasks.length} tasks queued after 10,000`);
  }

  async #runNext(): Promise<void> {
    const task = this.tasks.shift()!;
    if (this.cancelled.has(task.owner)) return;
    const deferrals = this.deferred.get(task.owner) ?? 0;
    if (deferrals > 0) {
      this.deferred.set(task.owner, deferrals - 1);
      this.tasks.push(task);
      return;
    }
    this.owner = task.owner;
    task.run();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A request that runs `slices` slices, asking for a turn before each (each slice marks the trace). */
async function busyRequest(loop: FakeEventLoop, scheduler: SliceScheduler, name: string, slices: number): Promise<void> {
  for (let i = 0; i < slices; i++) {
    loop.owner = name;
    await scheduler.turn();
    loop.trace.push(name);
  }
}

describe('SliceScheduler', () => {
  it('gives a lone request one turn per task, as a zero-delay timer would', async () => {
    const loop = new FakeEventLoop();
    const scheduler = loop.schedulerFor();
    const done = busyRequest(loop, scheduler, 'A', 3);
    loop.post('hit');
    await loop.runAll();
    await done;
    expect(loop.trace).toEqual(['A', 'hit', 'A', 'A']);
  });

  it('takes turns in arrival order, one slice per round, so a queued task waits for one slice, not one per busy request', async () => {
    const loop = new FakeEventLoop();
    const scheduler = loop.schedulerFor();
    const requests = [busyRequest(loop, scheduler, 'A', 3), busyRequest(loop, scheduler, 'B', 3), busyRequest(loop, scheduler, 'C', 3)];
    // A hit arrives behind every request's timer, then another after the first round.
    loop.post('hit1');
    await loop.run(4);
    loop.post('hit2');
    await loop.runAll();
    await Promise.all(requests);

    expect(loop.trace.filter((entry) => !entry.startsWith('hit'))).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'A', 'B', 'C']);
    for (const hit of ['hit1', 'hit2']) {
      // Slices that ran after the hit was posted and before it: at most the one in progress.
      const at = loop.trace.indexOf(hit);
      const before = hit === 'hit1' ? loop.trace.slice(0, at) : loop.trace.slice(loop.trace.indexOf('hit1') + 1, at);
      expect(before.length).toBeLessThanOrEqual(1);
    }
  });

  it('the same three requests with plain zero-delay timers make a queued task wait behind all of them', async () => {
    const loop = new FakeEventLoop();
    const plainTurn = () => new Promise<void>((resolve) => loop.tasks.push({ owner: loop.owner, run: resolve }));
    const plain = { turn: plainTurn } as unknown as SliceScheduler;
    const requests = ['A', 'B', 'C'].map((name) => busyRequest(loop, plain, name, 2));
    loop.post('hit');
    await loop.runAll();
    await Promise.all(requests);
    expect(loop.trace.indexOf('hit')).toBe(3);
  });

  it('drops a request cancelled while it waits, and the others finish', async () => {
    const loop = new FakeEventLoop();
    const scheduler = loop.schedulerFor();
    void busyRequest(loop, scheduler, 'gone', 5);
    const others = [busyRequest(loop, scheduler, 'B', 4), busyRequest(loop, scheduler, 'C', 4)];
    await loop.run(1); // 'gone' runs its first slice and waits for its second
    loop.cancelled.add('gone');
    await loop.runAll();
    await Promise.all(others);

    expect(loop.trace.filter((entry) => entry === 'gone')).toHaveLength(1);
    expect(loop.trace.filter((entry) => entry === 'B')).toHaveLength(4);
    expect(loop.trace.filter((entry) => entry === 'C')).toHaveLength(4);
    expect(scheduler.waiting).toBe(0);
  });

  it('lets a live request that was dropped for looking late rejoin the line and finish', async () => {
    const loop = new FakeEventLoop();
    const scheduler = loop.schedulerFor();
    const late = busyRequest(loop, scheduler, 'late', 3);
    const others = [busyRequest(loop, scheduler, 'B', 6), busyRequest(loop, scheduler, 'C', 6)];
    await loop.run(1);
    // Its next timer fires only after many others', as behind a long synchronous task.
    loop.deferred.set('late', 12);
    await loop.runAll();
    await Promise.all([late, ...others]);

    expect(loop.trace.filter((entry) => entry === 'late')).toHaveLength(3);
    expect(loop.trace.filter((entry) => entry === 'B')).toHaveLength(6);
    expect(scheduler.waiting).toBe(0);
  });
});
