import { describe, expect, it } from 'vitest';
import { Rng } from '../../training/model/rng';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('repeats its stream for the same seed and differs across seeds', () => {
    expect(draw(new Rng(42), 50)).toEqual(draw(new Rng(42), 50));
    expect(draw(new Rng(42), 50)).not.toEqual(draw(new Rng(43), 50));
  });

  it('resumes exactly from a saved state, through JSON', () => {
    const rng = new Rng(7);
    draw(rng, 123);
    const saved = JSON.parse(JSON.stringify(rng.state())) as number[];
    const continued = draw(rng, 20);
    expect(draw(Rng.fromState(saved), 20)).toEqual(continued);
  });

  it('keeps its state as four uint32 words', () => {
    const rng = new Rng(0);
    for (let i = 0; i < 1000; i++) rng.next();
    expect(rng.state()).toHaveLength(4);
    for (const word of rng.state()) expect(Number.isInteger(word) && word >= 0 && word < 2 ** 32).toBe(true);
  });

  it('draws next() in [0, 1) and int(n) in [0, n) with every value reachable', () => {
    const rng = new Rng(1);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) {
      const v = rng.next();
      expect(v >= 0 && v < 1).toBe(true);
      counts[rng.int(6)]!++;
    }
    // 1000 expected per face; 6 sigma of a binomial(6000, 1/6) is about 173.
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(173);
  });

  it('rejects bad seeds, bounds and states', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(1).int(0)).toThrow(RangeError);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(RangeError);
    expect(() => Rng.fromState([1, 2, 3, -4])).toThrow(RangeError);
  });
});
