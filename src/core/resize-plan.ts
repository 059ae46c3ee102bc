import type { Rect } from './tiling';

/** Width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * How `width` and `height` bound the output (Cloudflare Images semantics; aspect ratio always kept):
 * `contain` fits inside the box, enlarging or shrinking; `cover` fills the box and crops the
 * overflow, centred; `scale-down` is `contain` that never enlarges.
 */
export type Fit = 'contain' | 'cover' | 'scale-down';

/** Every {@link Fit}, in the order error messages list them. */
export const FITS: readonly Fit[] = ['contain', 'cover', 'scale-down'];

/**
 * What a request asks for: a fixed model scale (`upscale=N`), or a display size (`width` and/or
 * `height` in CSS pixels, times `dpr`) that the planner reaches with the model and a resample.
 */
export type ResizeRequest =
  | { readonly kind: 'scale'; readonly scale: number }
  | { readonly kind: 'fit'; readonly width: number | undefined; readonly height: number | undefined; readonly fit: Fit; readonly dpr: number };

/** The steps that turn the source into the output, each optional, in this order. */
export interface ResizePlan {
  /** Model scale to run first; `undefined` when the output is no larger than the source. */
  readonly scale: number | undefined;
  /** Size to resample the (upscaled) image to, aspect ratio kept; equal to it when no resample is needed. */
  readonly resize: Size;
  /** Window of the resampled image to keep (`cover`); `undefined` keeps all of it. */
  readonly crop: Rect | undefined;
  /** The size of the result. */
  readonly output: Size;
  /** The largest raster any step holds (model output, resampled or cropped image), for memory limits. */
  readonly peakPixels: number;
}

/**
 * Plans a rendition of a `source`-sized image. A fixed scale runs that model and nothing else. A
 * display size is the box `width * dpr` by `height * dpr` (either may be absent); `fit` gives the
 * aspect-kept size inside or around it. When that size is larger than the source the model does
 * the enlargement, with the smallest shipped scale at least the needed factor (the largest scale
 * when none is), then a high-quality resample to the exact size; when it is not larger, only the
 * resample. `cover` then crops the centre to the box.
 *
 * @example
 * planResize({ width: 300, height: 200 }, { kind: 'fit', width: 500, height: undefined, fit: 'contain', dpr: 1 }, [2, 4]);
 * // { scale: 2, resize: { width: 500, height: 333 }, crop: undefined, output: { width: 500, height: 333 }, peakPixels: 240000 }
 */
export function planResize(source: Size, request: ResizeRequest, scales: readonly number[]): ResizePlan {
  if (request.kind === 'scale') {
    const output = { width: source.width * request.scale, height: source.height * request.scale };
    return { scale: request.scale, resize: output, crop: undefined, output, peakPixels: pixels(output) };
  }
  const box = { width: devicePixels(request.width, request.dpr), height: devicePixels(request.height, request.dpr) };
  const resize = fittedSize(source, box, request.fit);
  const crop = request.fit === 'cover' ? centredCrop(resize, box) : undefined;
  const output = crop === undefined ? resize : { width: crop.width, height: crop.height };
  const enlarges = resize.width > source.width || resize.height > source.height;
  const scale = enlarges ? modelScale(Math.max(resize.width / source.width, resize.height / source.height), scales) : undefined;
  const modelOutput = scale === undefined ? source : { width: source.width * scale, height: source.height * scale };
  return { scale, resize, crop, output, peakPixels: Math.max(pixels(modelOutput), pixels(resize)) };
}

/** The smallest scale at least `factor`, else the largest (the resample then enlarges the rest). */
function modelScale(factor: number, scales: readonly number[]): number {
  if (scales.length === 0) throw new RangeError('no model scales to plan with');
  const sorted = [...scales].sort((a, b) => a - b);
  return sorted.find((scale) => scale >= factor) ?? sorted[sorted.length - 1]!;
}

/**
 * CSS pixels times the device pixel ratio, rounded to whole device pixels (at least one).
 *
 * @example
 * devicePixels(33, 1.5); // 50
 */
export function devicePixels(length: number | undefined, dpr: number): number | undefined {
  return length === undefined ? undefined : Math.max(1, Math.round(length * dpr));
}

interface Box {
  readonly width: number | undefined;
  readonly height: number | undefined;
}

/**
 * The aspect-kept size for `fit`. The binding edge is chosen with exact integer products
 * (`box.width * source.height` vs `box.height * source.width`), so it gets the box's length exactly
 * and only the other edge is rounded.
 */
function fittedSize(source: Size, box: Box, fit: Fit): Size {
  const { width, height } = box;
  if (width === undefined && height === undefined) throw new RangeError('a fit needs a width or a height');
  // Compares width / source.width with height / source.height: contain scales by the smaller
  // ratio (the other edge stays inside the box), cover by the larger (the other edge overflows).
  const widthRatioIsSmaller = width !== undefined && (height === undefined || width * source.height <= height * source.width);
  const widthRatioIsLarger = width !== undefined && (height === undefined || width * source.height >= height * source.width);
  const byWidth = fit === 'cover' ? widthRatioIsLarger : widthRatioIsSmaller;
  const fitted = byWidth
    ? { width: width!, height: Math.max(1, Math.round((source.height * width!) / source.width)) }
    : { width: Math.max(1, Math.round((source.width * height!) / source.height)), height: height! };
  const enlarges = fitted.width > source.width || fitted.height > source.height;
  return fit === 'scale-down' && enlarges ? source : fitted;
}

/** The box's window at the centre of `size` (left/top get the smaller half of an odd overflow). */
function centredCrop(size: Size, box: Box): Rect | undefined {
  const width = Math.min(size.width, box.width ?? size.width);
  const height = Math.min(size.height, box.height ?? size.height);
  if (width === size.width && height === size.height) return undefined;
  return { x: Math.floor((size.width - width) / 2), y: Math.floor((size.height - height) / 2), width, height };
}

function pixels(size: Size): number {
  return size.width * size.height;
}
