import type { PaintedSource } from '../support/origin-server';

/*
 * What `npm run bench` requests, derived from the limits the running Worker reports
 * (`/_bench/config`), so that "the largest accepted request" follows the configuration: pure
 * functions, unit-tested in kinds.test.ts.
 */

/** The Worker's size limits (src/http/pipeline.ts `Limits`; src/options.ts is not imported here: the running Worker reports them). */
export interface BenchLimits {
  readonly sourceBytes: number;
  readonly sourceSide: number;
  readonly sourcePixels: number;
  readonly wholeSourcePixels: number;
  readonly progressiveJpegSourcePixels: number;
  readonly outputPixels: number;
  readonly webpOutputPixels: number;
  readonly webpAlphaOutputPixels: number;
}

/** The Worker's cost model (src/http/pipeline.ts `CostModel`). */
export interface BenchCost {
  readonly inferSecondsPerMegapixel: Readonly<Record<string, number>>;
  readonly streamSecondsPerMegapixel: number;
}

/** One kind of request at its limit: the rows of the memory and throughput tables. */
export interface RequestKind {
  /** Short name, for `--kinds` and the tables. */
  readonly id: string;
  readonly label: string;
  readonly source: PaintedSource;
  /** Rendition parameters (a unique `v=` is added per request). */
  readonly query: string;
  /** Model scale run, if any. */
  readonly scale: number | undefined;
  readonly output: { readonly width: number; readonly height: number; readonly format: 'png' | 'jpeg' | 'webp' };
  /** The largest raster the plan streams (src/core/resize-plan.ts `peakPixels`): the cost model's unit. */
  readonly peakPixels: number;
  /** Whether the target of the thumbnail (time and memory) applies. */
  readonly thumbnail: boolean;
}

/**
 * The longest side `side` with `side * side <= pixels`.
 *
 * @example
 * largestSquareSide(16 * 1024 * 1024); // 4096
 */
export function largestSquareSide(pixels: number): number {
  let side = Math.floor(Math.sqrt(pixels));
  while ((side + 1) * (side + 1) <= pixels) side++;
  while (side * side > pixels) side--;
  return side;
}

/**
 * The largest square source an upscale by `scale` accepts: its output within `outputPixels`, the
 * source itself (decoded whole) within `wholeSourcePixels` and `sourceSide`.
 *
 * @example
 * largestUpscaleSide(DEFAULT_LIMITS, 2); // 2048 (4096x4096 out)
 */
export function largestUpscaleSide(limits: BenchLimits, scale: number): number {
  return Math.min(Math.floor(largestSquareSide(limits.outputPixels) / scale), largestSquareSide(limits.wholeSourcePixels), limits.sourceSide);
}

/**
 * The thumbnail source: a 24 MP camera frame, 6000x4000, or the largest 3:2 frame under smaller
 * limits (`sourcePixels`, `sourceSide`).
 */
export function thumbnailSourceSize(limits: BenchLimits): { readonly width: number; readonly height: number } {
  let width = Math.min(6000, limits.sourceSide);
  let height = Math.round((width * 2) / 3);
  if (width * height > limits.sourcePixels) {
    width = Math.floor(Math.sqrt((limits.sourcePixels * 3) / 2));
    height = Math.floor((width * 2) / 3);
    while (width * height > limits.sourcePixels) width--;
  }
  return { width, height };
}

/** Width of every thumbnail request (`?width=640`). */
const THUMBNAIL_WIDTH = 640;

/** The output size of `?width=W` on a source (src/core/resize-plan.ts fittedSize, `contain`). */
function widthFit(source: { readonly width: number; readonly height: number }, width: number) {
  return { width, height: Math.max(1, Math.round((source.height * width) / source.width)) };
}

/** A photo-style opaque source of `side` x `side`. */
const photo = (side: number, encoding: 'png' | 'progressive-jpeg' | 'webp', path: string): PaintedSource => ({
  path,
  width: side,
  height: side,
  translucent: false,
  encoding,
  style: 'photo',
});

/**
 * Every kind of request at its limit, in the order the benchmark runs them: x2 (PNG and JPEG out)
 * at the largest output, x4 and x3 likewise (when shipped), the 24 MP thumbnails (baseline JPEG and
 * PNG, decoded in strips), the whole-decoded sources at their limit (progressive JPEG, WebP; a
 * WebP upscaled x2 too), and WebP output at its limits (translucent and opaque, x2).
 *
 * @example
 * requestKinds(limits, [2, 3, 4]).map((kind) => kind.id);
 * // ['x2-png', 'x2-jpeg', 'x4-png', 'x3-png', 'thumb-jpeg', 'thumb-png', 'progressive-jpeg', 'webp-source', 'x2-webp-source', 'webp-output', 'webp-output-opaque']
 */
export function requestKinds(limits: BenchLimits, scales: readonly number[]): RequestKind[] {
  const kinds: RequestKind[] = [];
  const upscale = (scale: number, format: 'png' | 'jpeg') => {
    const side = largestUpscaleSide(limits, scale);
    const out = side * scale;
    kinds.push({
      id: `x${scale}-${format}`,
      label: `${side}x${side} PNG, x${scale} → ${out}x${out} ${format.toUpperCase()}`,
      source: photo(side, 'png', `/photo-${side}.png`),
      query: `upscale=${scale}&format=${format}`,
      scale,
      output: { width: out, height: out, format },
      peakPixels: out * out,
      thumbnail: false,
    });
  };
  if (scales.includes(2)) {
    upscale(2, 'png');
    upscale(2, 'jpeg');
  }
  for (const scale of scales.filter((s) => s !== 2).sort((a, b) => b - a)) upscale(scale, 'png');
  const big = thumbnailSourceSize(limits);
  const thumb = widthFit(big, THUMBNAIL_WIDTH);
  const megapixels = ((big.width * big.height) / 1e6).toFixed(0);
  for (const format of ['jpeg', 'png'] as const) {
    const name = format === 'jpeg' ? 'baseline JPEG' : 'PNG';
    kinds.push({
      id: `thumb-${format}`,
      label: `${big.width}x${big.height} (${megapixels} MP) ${name} → ${thumb.width}x${thumb.height}`,
      source: { path: `/photo-${big.width}x${big.height}.${format === 'jpeg' ? 'jpg' : 'png'}`, ...big, translucent: false, encoding: format, style: 'photo' },
      query: `width=${THUMBNAIL_WIDTH}`,
      scale: undefined,
      output: { ...thumb, format },
      peakPixels: big.width * big.height,
      thumbnail: format === 'jpeg',
    });
  }
  const whole = Math.min(largestSquareSide(limits.wholeSourcePixels), limits.sourceSide);
  const wholeThumb = widthFit({ width: whole, height: whole }, THUMBNAIL_WIDTH);
  const progressive = Math.min(largestSquareSide(Math.min(limits.wholeSourcePixels, limits.progressiveJpegSourcePixels)), limits.sourceSide);
  const progressiveThumb = widthFit({ width: progressive, height: progressive }, THUMBNAIL_WIDTH);
  kinds.push({
    id: 'progressive-jpeg',
    label: `${progressive}x${progressive} progressive JPEG → ${progressiveThumb.width}x${progressiveThumb.height}`,
    source: photo(progressive, 'progressive-jpeg', `/photo-${progressive}-progressive.jpg`),
    query: `width=${THUMBNAIL_WIDTH}`,
    scale: undefined,
    output: { ...progressiveThumb, format: 'jpeg' },
    peakPixels: progressive * progressive,
    thumbnail: false,
  });
  kinds.push({
    id: 'webp-source',
    label: `${whole}x${whole} WebP → ${wholeThumb.width}x${wholeThumb.height}`,
    source: photo(whole, 'webp', `/photo-${whole}.webp`),
    query: `width=${THUMBNAIL_WIDTH}`,
    scale: undefined,
    output: { ...wholeThumb, format: 'webp' },
    peakPixels: whole * whole,
    thumbnail: false,
  });
  if (scales.includes(2)) {
    // libwebp's decoder heap (up to 38.6 MiB at 2048x2048) and the x2 pipeline in one request.
    const side = Math.min(whole, largestUpscaleSide(limits, 2));
    kinds.push({
      id: 'x2-webp-source',
      label: `${side}x${side} WebP, x2 → ${side * 2}x${side * 2} PNG`,
      source: photo(side, 'webp', `/photo-${side}.webp`),
      query: 'upscale=2&format=png',
      scale: 2,
      output: { width: side * 2, height: side * 2, format: 'png' },
      peakPixels: side * 2 * side * 2,
      thumbnail: false,
    });
  }
  if (scales.includes(2)) {
    // libwebp's heap: 35-47 bytes per pixel translucent (the larger request), 14-16 opaque.
    for (const translucent of [true, false]) {
      const side = Math.floor(largestSquareSide(translucent ? limits.webpAlphaOutputPixels : limits.webpOutputPixels) / 2);
      const name = translucent ? 'translucent' : 'opaque';
      kinds.push({
        id: translucent ? 'webp-output' : 'webp-output-opaque',
        label: `${side}x${side} ${name} PNG, x2 → ${side * 2}x${side * 2} WebP`,
        source: { path: `/photo-${side}-${name}.png`, width: side, height: side, translucent, encoding: 'png', style: 'photo' },
        query: 'upscale=2&format=webp',
        scale: 2,
        output: { width: side * 2, height: side * 2, format: 'webp' },
        peakPixels: side * 2 * side * 2,
        thumbnail: false,
      });
    }
  }
  return kinds;
}

/** Opaque drawing-style PNG sources of the x2 misses by size (`--sizes`), as the benchmark has always used. */
export const squarePng = (size: number): PaintedSource => ({ path: `/bench-${size}.png`, width: size, height: size, translucent: false });

/** A medium photo for the aging mix's thumbnails. */
export const MEDIUM_PHOTO: PaintedSource = { path: '/photo-1200x800.jpg', width: 1200, height: 800, translucent: false, encoding: 'jpeg', style: 'photo' };

/** One request of the aging mix: a path and the statuses it may get. */
export interface AgingRequest {
  readonly path: string;
  readonly statuses: readonly number[];
}

/**
 * The `n` mixed requests a long-lived isolate serves before its memory is read (`--mixed`): one
 * of each of 20 templates in turn — cache misses on the samples at every scale and as thumbnails
 * in every format, misses at 512x512 and on a 1200x800 photo (also to AVIF), a WebP at its output
 * limit (libwebp's largest heap), repeats that hit the cache, and errors. Deterministic, so runs
 * compare. `webpOutput` is the WebP-output source's path, `scales` the shipped ones.
 *
 * @example
 * agingRequests(200, ['gradient-shapes.png'], [2, 3, 4], '/largest.png').length; // 200
 */
export function agingRequests(n: number, samples: readonly string[], scales: readonly number[], webpOutput: string): AgingRequest[] {
  const ok = [200];
  const sample = (i: number) => samples[i % samples.length]!;
  const templates: ((i: number) => AgingRequest)[] = [
    ...scales.map((scale) => (i: number) => ({ path: `/samples/${sample(i)}?upscale=${scale}&v=age-${i}`, statuses: ok })),
    (i) => ({ path: `/samples/${sample(i)}?width=100&format=webp&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `/samples/${sample(i)}?width=100&format=jpeg&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `/samples/${sample(i)}?width=300&height=200&fit=cover&v=age-${i}`, statuses: ok }),
    () => ({ path: `/samples/${sample(0)}?upscale=${scales[0]}`, statuses: ok }),
    () => ({ path: `/samples/${sample(1)}?width=240&format=webp`, statuses: ok }),
    (i) => ({ path: `${squarePng(256).path}?upscale=${scales[0]}&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `${MEDIUM_PHOTO.path}?width=320&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `/samples/missing-${i}.png?upscale=2`, statuses: [404] }),
    () => ({ path: `/samples/${sample(0)}?upscale=${scales[0]}`, statuses: ok }),
    (i) => ({ path: `${MEDIUM_PHOTO.path}?width=1200&height=400&fit=cover&format=webp&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `/samples/${sample(i)}?width=800&format=png&v=age-${i}`, statuses: ok }),
    () => ({ path: `/samples/${sample(1)}?width=240&format=webp`, statuses: ok }),
    (i) => ({ path: `${squarePng(512).path}?upscale=${scales[0]}&format=jpeg&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `/samples/${sample(i)}?upscale=9&v=age-${i}`, statuses: [400] }),
    (i) => ({ path: `${webpOutput}?upscale=2&format=webp&v=age-${i}`, statuses: ok }),
    (i) => ({ path: `${MEDIUM_PHOTO.path}?width=800&format=avif&v=age-${i}`, statuses: ok }),
  ];
  while (templates.length < 20) templates.push(() => ({ path: `/samples/${sample(0)}?upscale=${scales[0]}`, statuses: ok }));
  return Array.from({ length: n }, (_, i) => templates[i % templates.length]!(i));
}
