import type { ImageCodecs } from '../codec/codecs';
import { isLossy, type ImageFormat } from '../codec/format';
import { readImageHeader, type ImageHeader } from '../codec/header';
import { checkDecodeCost } from '../core/decode-guard';
import type { RgbaImage } from '../core/image';
import type { ModelCatalog } from '../core/model-catalog';
import { cropRgba, resampleRgba } from '../core/resample';
import { planResize, type ResizePlan } from '../core/resize-plan';
import { upscaleImage } from '../core/upscale';
import { chooseFormat, type FormatPreferences } from './accept';
import { ServiceError } from './errors';
import type { Origin } from './origin';
import type { UpscaleParams } from './params';
import { fetchSource } from './source';
import type { StageTimer } from './timing';

/** Size limits, checked before the work they bound (bytes before download, pixels before decode). */
export interface Limits {
  /** Largest source file, in bytes (413 above it). */
  readonly sourceBytes: number;
  /** Largest source image, in pixels (422 above it). */
  readonly sourcePixels: number;
  /** Largest output, or intermediate image of a resize (e.g. the model's output before a downscale), in pixels (422 above it). */
  readonly outputPixels: number;
}

export interface RenderOptions {
  readonly origin: Origin;
  readonly models: ModelCatalog;
  readonly codecs: ImageCodecs;
  readonly limits: Limits;
  readonly originTimeoutMs: number;
  readonly tileSize: number;
  /** Quality of lossy outputs when the request gives none. */
  readonly defaultQuality: number;
}

export interface RenderRequest {
  /** Origin path and query (our parameters removed). */
  readonly path: string;
  readonly params: UpscaleParams;
  /** The client's format preferences (from `Accept`), used by `format=auto`. */
  readonly preferences: FormatPreferences;
  /** The processing deadline; checked between stages and between tiles. */
  readonly signal: AbortSignal;
}

export interface Rendition {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly format: ImageFormat;
}

/**
 * The work behind a cache miss, as timed stages with the deadline checked after each: fetch (the
 * model of a fixed scale warms up meanwhile), header, plan and limits, decode-cost checks and
 * decode, inference (when the plan enlarges), resample and crop (when it asks), encode.
 *
 * @example
 * const { bytes, format } = await render({ path: '/a.png', params, preferences, signal }, options, timer);
 */
export async function render(request: RenderRequest, options: RenderOptions, timer: StageTimer): Promise<Rendition> {
  const { params, signal } = request;
  // A fixed scale names its model up front: load it while the source downloads (memoised, so
  // the await below gets the same promise; a failed load is reported there).
  if (params.resize.kind === 'scale') options.models.runner(params.resize.scale).catch(() => {});
  const download = { timeoutMs: options.originTimeoutMs, maxBytes: options.limits.sourceBytes };
  const source = await timer.time('fetch', () => fetchSource(options.origin, request.path, download));
  signal.throwIfAborted();
  const header = readImageHeader(source);
  const plan = planResize(header, params.resize, options.models.scales);
  checkPixelLimits(header, plan, options.limits);
  const format = outputFormat(params, header.format, request.preferences);
  const runner = plan.scale === undefined ? undefined : await timer.time('model', () => options.models.runner(plan.scale!));
  const image = await timer.time('decode', async () => {
    await checkDecodeCost(source, header);
    return options.codecs.decode(source, header);
  });
  signal.throwIfAborted();
  const inference = { tileSize: options.tileSize, signal, beforeTile: yieldToEventLoop };
  const enlarged = runner === undefined ? image : await timer.time('infer', () => upscaleImage(image, runner, inference));
  const output = await resizeAndCrop(enlarged, plan, timer);
  signal.throwIfAborted();
  const bytes = await timer.time('encode', () => options.codecs.encode(output, format, params.quality ?? options.defaultQuality));
  signal.throwIfAborted();
  return { bytes, format };
}

/** The plan's resample (when the size still differs) and crop (`cover`), timed as `resize`. */
async function resizeAndCrop(image: RgbaImage, plan: ResizePlan, timer: StageTimer): Promise<RgbaImage> {
  const { resize, crop } = plan;
  if (image.width === resize.width && image.height === resize.height && crop === undefined) return image;
  return timer.time('resize', () => {
    const sized = resampleRgba(image, resize.width, resize.height);
    return crop === undefined ? sized : cropRgba(sized, crop);
  });
}

/** Limits from the header alone, before a pixel is decoded: the source, and every raster the plan makes. */
function checkPixelLimits(header: ImageHeader, plan: ResizePlan, limits: Limits): void {
  const { width, height } = header;
  if (width * height > limits.sourcePixels) {
    throw new ServiceError(422, 'image_too_large', `the source image is ${width}x${height}; at most ${limits.sourcePixels} pixels are accepted`);
  }
  if (plan.peakPixels > limits.outputPixels) {
    const work = plan.scale === undefined ? `resizing ${width}x${height}` : `upscaling ${width}x${height} by ${plan.scale}`;
    const target = `to ${plan.output.width}x${plan.output.height}`;
    throw new ServiceError(422, 'image_too_large', `${work} ${target} needs ${plan.peakPixels} pixels, over the ${limits.outputPixels}-pixel output limit`);
  }
}

function outputFormat(params: UpscaleParams, source: ImageFormat, preferences: FormatPreferences): ImageFormat {
  const format = params.format === undefined ? source : params.format === 'auto' ? chooseFormat(preferences, source) : params.format;
  if (params.quality !== undefined && !isLossy(format)) {
    throw new ServiceError(400, 'invalid_parameter', `quality applies to lossy output only (jpeg, webp); this output is ${format}`);
  }
  return format;
}

/**
 * Lets queued macrotasks run between tiles. Inference is synchronous WASM inside promises, so
 * without this no timer (such as the deadline's) could fire until the whole image is done.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
