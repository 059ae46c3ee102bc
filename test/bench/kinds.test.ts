import { describe, expect, it } from 'vitest';
import { agingRequests, largestSquareSide, largestUpscaleSide, requestKinds, thumbnailSourceSize, type BenchLimits } from './kinds';

/** src/options.ts DEFAULT_OPTIONS.limits as of the streaming pipeline. */
const DEFAULT_LIMITS: BenchLimits = {
  sourceBytes: 32 * 1024 * 1024,
  sourceSide: 12_000,
  sourcePixels: 24 * 1024 * 1024,
  wholeSourcePixels: 4 * 1024 * 1024,
  progressiveJpegSourcePixels: 1536 * 1024,
  outputPixels: 16 * 1024 * 1024,
  webpOutputPixels: 1536 * 1024,
  webpAlphaOutputPixels: 1024 * 1024,
};

describe('largestSquareSide', () => {
  it.each([
    [16 * 1024 * 1024, 4096],
    [1536 * 1024, 1254],
    [4096 * 4096 - 1, 4095],
    [1, 1],
  ])('%s pixels: %s', (pixels, side) => {
    expect(largestSquareSide(pixels)).toBe(side);
    expect(side * side).toBeLessThanOrEqual(pixels);
    expect((side + 1) * (side + 1)).toBeGreaterThan(pixels);
  });
});

describe('largestUpscaleSide', () => {
  it('fits the output limit at each scale', () => {
    expect([2, 3, 4].map((scale) => largestUpscaleSide(DEFAULT_LIMITS, scale))).toEqual([2048, 1365, 1024]);
  });
  it('keeps the source within the whole-source limit', () => {
    expect(largestUpscaleSide({ ...DEFAULT_LIMITS, wholeSourcePixels: 1000 * 1000 }, 2)).toBe(1000);
  });
});

describe('thumbnailSourceSize', () => {
  it('is a 24 MP camera frame under the default limits', () => {
    expect(thumbnailSourceSize(DEFAULT_LIMITS)).toEqual({ width: 6000, height: 4000 });
  });
  it('shrinks to the largest 3:2 frame under a lower pixel limit', () => {
    const { width, height } = thumbnailSourceSize({ ...DEFAULT_LIMITS, sourcePixels: 12_000_000 });
    expect(width * height).toBeLessThanOrEqual(12_000_000);
    expect(width * height).toBeGreaterThan(11_980_000);
    expect(width / height).toBeCloseTo(1.5, 2);
  });
});

describe('requestKinds', () => {
  const kinds = requestKinds(DEFAULT_LIMITS, [2, 3, 4]);
  it('lists every kind at its limit, in order', () => {
    expect(kinds.map((kind) => kind.id)).toEqual([
      'x2-png',
      'x2-jpeg',
      'x4-png',
      'x3-png',
      'thumb-jpeg',
      'thumb-png',
      'progressive-jpeg',
      'webp-source',
      'x2-webp-source',
      'webp-output',
      'webp-output-opaque',
    ]);
  });
  it('sizes each kind by the limits', () => {
    const byId = Object.fromEntries(kinds.map((kind) => [kind.id, kind]));
    expect(byId['x2-png']).toMatchObject({
      query: 'upscale=2&format=png',
      scale: 2,
      output: { width: 4096, height: 4096, format: 'png' },
      peakPixels: 4096 * 4096,
    });
    expect(byId['x2-png']!.source).toMatchObject({ width: 2048, height: 2048, encoding: 'png', style: 'photo', translucent: false });
    expect(byId['x2-jpeg']!.source.path).toBe(byId['x2-png']!.source.path);
    expect(byId['x4-png']).toMatchObject({ output: { width: 4096 }, source: { width: 1024 } });
    expect(byId['x3-png']).toMatchObject({ output: { width: 4095 }, source: { width: 1365 } });
    expect(byId['thumb-jpeg']).toMatchObject({
      query: 'width=640',
      scale: undefined,
      output: { width: 640, height: 427, format: 'jpeg' },
      peakPixels: 24_000_000,
      thumbnail: true,
    });
    expect(byId['thumb-jpeg']!.source).toMatchObject({ width: 6000, height: 4000, encoding: 'jpeg' });
    expect(byId['thumb-png']).toMatchObject({ thumbnail: false, source: { encoding: 'png', width: 6000 } });
    expect(byId['progressive-jpeg']!.source).toMatchObject({ width: 1254, encoding: 'progressive-jpeg' });
    expect(byId['webp-source']).toMatchObject({ output: { width: 640, height: 640, format: 'webp' }, source: { encoding: 'webp', width: 2048 } });
    expect(byId['x2-webp-source']).toMatchObject({
      query: 'upscale=2&format=png',
      output: { width: 4096, height: 4096, format: 'png' },
      source: { encoding: 'webp', width: 2048, path: byId['webp-source']!.source.path },
    });
    expect(byId['webp-output']).toMatchObject({
      query: 'upscale=2&format=webp',
      output: { width: 1024, format: 'webp' },
      source: { width: 512, translucent: true },
    });
    expect(byId['webp-output-opaque']).toMatchObject({ output: { width: 1254, format: 'webp' }, source: { width: 627, translucent: false } });
  });
  it('keeps every source within the limits it is checked against', () => {
    for (const kind of kinds) {
      const pixels = kind.source.width * kind.source.height;
      const whole = kind.scale !== undefined || kind.source.encoding === 'webp' || kind.source.encoding === 'progressive-jpeg';
      expect(pixels, kind.id).toBeLessThanOrEqual(whole ? DEFAULT_LIMITS.wholeSourcePixels : DEFAULT_LIMITS.sourcePixels);
      if (kind.source.encoding === 'progressive-jpeg') expect(pixels, kind.id).toBeLessThanOrEqual(DEFAULT_LIMITS.progressiveJpegSourcePixels);
      expect(kind.output.width * kind.output.height, kind.id).toBeLessThanOrEqual(
        kind.output.format !== 'webp'
          ? DEFAULT_LIMITS.outputPixels
          : kind.source.translucent
            ? DEFAULT_LIMITS.webpAlphaOutputPixels
            : DEFAULT_LIMITS.webpOutputPixels,
      );
    }
  });
  it('leaves out the scales that are not shipped', () => {
    expect(requestKinds(DEFAULT_LIMITS, [4]).map((kind) => kind.id)).toEqual(['x4-png', 'thumb-jpeg', 'thumb-png', 'progressive-jpeg', 'webp-source']);
  });
});

describe('agingRequests', () => {
  const samples = ['a.png', 'b.jpg'];
  it('makes n requests from 20 templates in turn', () => {
    const requests = agingRequests(200, samples, [2, 3, 4], '/largest.png');
    expect(requests).toHaveLength(200);
    expect(requests[20]!.path.replace(/\d+/g, 'N')).toBe(requests[0]!.path.replace(/\d+/g, 'N'));
  });
  it('mixes misses in every output format, repeats that hit, errors and a WebP at its limit', () => {
    const requests = agingRequests(20, samples, [2, 3, 4], '/largest.png');
    expect(requests.filter((r) => r.statuses.includes(404))).toHaveLength(1);
    expect(requests.filter((r) => r.statuses.includes(400))).toHaveLength(1);
    expect(requests.filter((r) => r.path.startsWith('/largest.png?upscale=2&format=webp'))).toHaveLength(1);
    for (const format of ['webp', 'jpeg', 'png', 'avif']) expect(requests.some((r) => r.path.includes(`format=${format}`))).toBe(true);
    const repeated = requests.filter((r) => !r.path.includes('v=') && r.statuses.includes(200)).map((r) => r.path);
    expect(new Set(repeated).size).toBeLessThan(repeated.length);
    const misses = requests.filter((r) => r.path.includes('v=age-')).map((r) => r.path);
    expect(new Set(misses).size).toBe(misses.length);
  });
  it('is deterministic', () => {
    expect(agingRequests(40, samples, [2], '/w.png')).toEqual(agingRequests(40, samples, [2], '/w.png'));
  });
});
