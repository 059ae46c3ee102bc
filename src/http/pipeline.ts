import type { ImageCodecs } from '../codec/codecs';
import { isLossy, type ImageFormat } from '../codec/format';
import { readImageHeader, type ImageHeader } from '../codec/header';
import type { ModelCatalog } from '../core/model-catalog';
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
  /** Largest upscaled image, in pixels (422 above it). */
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
 * The upscale work behind a cache miss, as timed stages with the deadline checked after each:
 * fetch (model load in parallel), header and limits, decode, infer, encode.
 *
 * @example
 * const { bytes, format } = await render({ path: '/a.png', params, preferences, signal }, options, timer);
 */
export async function render(request: RenderRequest, options: RenderOptions, timer: StageTimer): Promise<Rendition> {
  const { params, signal } = request;
  // Start the model while the source downloads; a model that failed before rejects at once.
  const [source, runner] = await Promise.all([
    timer.time('fetch', () => fetchSource(options.origin, request.path, { timeoutMs: options.originTimeoutMs, maxBytes: options.limits.sourceBytes })),
    timer.time('model', () => options.models.runner(params.scale)),
  ]);
  signal.throwIfAborted();
  const header = readImageHeader(source);
  checkPixelLimits(header, params.scale, options.limits);
  const format = outputFormat(params, header.format, request.preferences);
  const image = await timer.time('decode', () => options.codecs.decode(source, header));
  signal.throwIfAborted();
  const upscaled = await timer.time('infer', () => upscaleImage(image, runner, { tileSize: options.tileSize, signal, beforeTile: yieldToEventLoop }));
  const bytes = await timer.time('encode', () => options.codecs.encode(upscaled, format, params.quality ?? options.defaultQuality));
  signal.throwIfAborted();
  return { bytes, format };
}

function checkPixelLimits(header: ImageHeader, scale: number, limits: Limits): void {
  const { width, height } = header;
  if (width * height > limits.sourcePixels) {
    throw new ServiceError(422, 'image_too_large', `the source image is ${width}x${height}; at most ${limits.sourcePixels} pixels are accepted`);
  }
  if (width * height * scale * scale > limits.outputPixels) {
    throw new ServiceError(422, 'image_too_large', `upscaling ${width}x${height} by ${scale} exceeds the ${limits.outputPixels}-pixel output limit`);
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
