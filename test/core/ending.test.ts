import { describe, expect, it } from 'vitest';
import { onceEnded } from '../../src/core/ending';

async function* numbers(fail = false): AsyncGenerator<number> {
  yield 1;
  yield 2;
  if (fail) throw new Error('broke');
}

describe('onceEnded', () => {
  it('runs its cleanup once the items are exhausted, not before', async () => {
    let cleanups = 0;
    const items = onceEnded(numbers(), () => cleanups++);
    expect(await items.next()).toEqual({ done: false, value: 1 });
    expect(await items.next()).toEqual({ done: false, value: 2 });
    expect(cleanups).toBe(0);
    expect(await items.next()).toEqual({ done: true, value: undefined });
    await items.return(undefined);
    expect(cleanups).toBe(1);
  });

  it('runs it when the items fail', async () => {
    let cleanups = 0;
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const n of onceEnded(numbers(true), () => cleanups++)) seen.push(n);
      })(),
    ).rejects.toThrow('broke');
    expect(seen).toEqual([1, 2]);
    expect(cleanups).toBe(1);
  });

  it('runs it when abandoned mid-way, and when abandoned or thrown into before the first item', async () => {
    let cleanups = 0;
    const midway = onceEnded(numbers(), () => cleanups++);
    await midway.next();
    await midway.return(undefined);
    expect(cleanups).toBe(1);
    await onceEnded(numbers(), () => cleanups++).return(undefined);
    expect(cleanups).toBe(2);
    await expect(onceEnded(numbers(), () => cleanups++).throw(new Error('stop'))).rejects.toThrow('stop');
    expect(cleanups).toBe(3);
  });
});
