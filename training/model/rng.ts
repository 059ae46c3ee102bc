const UINT32 = 2 ** 32;

/**
 * A small, fast, seedable PRNG (sfc32, from PractRand) whose whole state is four uint32 numbers, so
 * a training run can save `state()` in a checkpoint and resume the exact same sample stream.
 *
 * @example
 * const rng = new Rng(42);
 * const flip = rng.next() < 0.5;
 * const resumed = Rng.fromState(rng.state()); // continues where rng stands
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32) throw new RangeError(`seed must be a uint32, got ${seed}`);
    // splitmix32 spreads any seed (0 included) over the 128-bit state; sfc32 needs no other setup.
    let s = seed;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // sfc32's authors discard the first outputs so nearby seeds decorrelate.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / UINT32;
  }

  /** Uniform integer in [0, n) for a positive integer n up to 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > UINT32) throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** The four uint32 state words, to persist and hand to {@link Rng.fromState}. */
  state(): number[] {
    return [this.a, this.b, this.c, this.d];
  }

  static fromState(state: number[]): Rng {
    if (state.length !== 4 || !state.every((word) => Number.isInteger(word) && word >= 0 && word < UINT32)) {
      throw new RangeError(`Rng state must be four uint32 numbers, got ${JSON.stringify(state)}`);
    }
    const rng = new Rng(0);
    [rng.a, rng.b, rng.c, rng.d] = state as [number, number, number, number];
    return rng;
  }

  private nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
}
