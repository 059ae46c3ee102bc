import { describe, expect, it } from 'vitest';
import { bodyTimes, estimateSeconds, recommendCost, roundUp, secondsPerMegapixel, verdict, type CostRun } from './analysis';

describe('bodyTimes', () => {
  it('times the first chunk and the chunk that reaches the threshold', () => {
    const arrivals = [
      { ms: 10, bytes: 33 },
      { ms: 400, bytes: 10_000 },
      { ms: 500, bytes: 20_000 },
      { ms: 900, bytes: 5 },
    ];
    expect(bodyTimes(arrivals, 16 * 1024)).toEqual({ firstByteMs: 10, thresholdMs: 500, bytes: 30_038 });
  });
  it('counts a threshold reached by the first chunk', () => {
    expect(bodyTimes([{ ms: 7, bytes: 20_000 }], 16 * 1024).thresholdMs).toBe(7);
  });
  it('leaves what never happened undefined', () => {
    expect(bodyTimes([], 1)).toEqual({ firstByteMs: undefined, thresholdMs: undefined, bytes: 0 });
    expect(bodyTimes([{ ms: 3, bytes: 100 }], 16 * 1024)).toEqual({ firstByteMs: 3, thresholdMs: undefined, bytes: 100 });
  });
  it('skips empty chunks for the first byte', () => {
    expect(
      bodyTimes(
        [
          { ms: 1, bytes: 0 },
          { ms: 2, bytes: 5 },
        ],
        5,
      ),
    ).toEqual({ firstByteMs: 2, thresholdMs: 2, bytes: 5 });
  });
});

const x2: CostRun = { scale: 2, modelPixels: 16e6, peakPixels: 16e6, totalMs: 28_000, inferenceMs: 24_000 };
const thumb: CostRun = { scale: undefined, modelPixels: 0, peakPixels: 24e6, totalMs: 1200, inferenceMs: 0 };
const webp: CostRun = { scale: 2, modelPixels: 1.5e6, peakPixels: 1.5e6, totalMs: 4500, inferenceMs: 2100 };

describe('secondsPerMegapixel', () => {
  it('splits inference per model-output megapixel from the rest per peak megapixel', () => {
    const rates = secondsPerMegapixel(x2);
    expect(rates.infer).toBeCloseTo(1.5);
    expect(rates.stream).toBeCloseTo(0.25);
  });
  it('has no inference rate without a model', () => {
    const rates = secondsPerMegapixel(thumb);
    expect(rates.infer).toBeUndefined();
    expect(rates.stream).toBeCloseTo(0.05);
  });
});

describe('roundUp', () => {
  it.each([
    [1.21, 1.25],
    [1.25, 1.25],
    [0.001, 0.05],
    [0, 0],
  ])('%s rounds up to %s', (value, rounded) => {
    expect(roundUp(value)).toBe(rounded);
  });
});

describe('estimateSeconds', () => {
  it('is inference over the model output plus the rest over the peak, as the pipeline estimates', () => {
    expect(estimateSeconds(x2, { inferSecondsPerMegapixel: { 2: 1.4 }, streamSecondsPerMegapixel: 0.25 })).toBeCloseTo(16 * 1.65);
  });
  it('takes the slowest scale for a scale without a rate', () => {
    expect(estimateSeconds({ ...x2, scale: 3 }, { inferSecondsPerMegapixel: { 2: 1.4, 4: 0.8 }, streamSecondsPerMegapixel: 0 })).toBeCloseTo(16 * 1.4);
  });
});

describe('recommendCost', () => {
  it('takes the largest inference rate per scale and the stream rate that bounds every run', () => {
    const cost = recommendCost(
      [
        { label: 'x2-png', run: x2 },
        { label: 'x2-png', run: { ...x2, inferenceMs: 22_000, totalMs: 26_000 } },
        { label: 'thumb-jpeg', run: thumb },
      ],
      60_000,
    );
    expect(cost.inferSecondsPerMegapixel).toEqual({ 2: 1.5 });
    // x2 needs (28 - 16 * 1.5) / 16 = 0.25; the thumbnail 0.05.
    expect(cost.streamSecondsPerMegapixel).toBe(0.25);
    expect(cost.streamFrom).toBe('x2-png');
    expect(cost.underestimated).toEqual([]);
  });
  it('lowers the stream rate rather than refuse a run, and says which runs it leaves unbounded', () => {
    // WebP needs (4.5 - 1.5 * 1.4) / 1.5 = 1.6 s/MP, which would put the 24 MP thumbnail at 38.4 s: over a 30 s deadline.
    const cost = recommendCost(
      [
        { label: 'webp-output', run: webp },
        { label: 'thumb-jpeg', run: thumb },
      ],
      30_000,
    );
    expect(cost.inferSecondsPerMegapixel).toEqual({ 2: 1.4 });
    expect(cost.streamSecondsPerMegapixel).toBe(0.05);
    expect(cost.streamFrom).toBe('thumb-jpeg');
    expect(cost.underestimated).toEqual(['webp-output']);
  });
  it('keeps the highest rate when the deadline allows it', () => {
    const cost = recommendCost(
      [
        { label: 'webp-output', run: webp },
        { label: 'thumb-jpeg', run: thumb },
      ],
      60_000,
    );
    expect(cost.streamSecondsPerMegapixel).toBe(1.6);
    expect(cost.underestimated).toEqual([]);
  });
});

describe('verdict', () => {
  it.each([
    [true, 'pass'],
    [false, 'FAIL'],
    [undefined, '-'],
  ])('%s reads %s', (ok, text) => {
    expect(verdict(ok)).toBe(text);
  });
});
