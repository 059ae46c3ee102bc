import { describe, expect, it } from 'vitest';
import { resizeBuffer } from '../../src/core/bytes';

// Node 20 has no ArrayBuffer.prototype.transfer: this is the copying path (workerd's, which
// transfers, is tested in test/worker/source.test.ts).
describe('resizeBuffer without transfer', () => {
  it.each([
    ['grows, zero-filling the new bytes', [1, 2, 3], 5, [1, 2, 3, 0, 0]],
    ['trims to the first bytes', [1, 2, 3, 4], 2, [1, 2]],
    ['empties', [1, 2], 0, []],
  ])('%s', (_, from, length, expected) => {
    const old = new Uint8Array(from).buffer;
    const resized = resizeBuffer(old, length);
    expect(resized).not.toBe(old);
    expect([...new Uint8Array(resized)]).toEqual(expected);
    expect([...new Uint8Array(old)]).toEqual(from); // left to the collector, unchanged
  });
});
