import { createHash } from 'node:crypto';
import type { ImageCodecs } from '../codec/codecs';
import { IMAGE_FORMATS, isLossy, type ImageFormat } from '../codec/format';
import { headerIsComplete, readImageHeader, type ImageHeader } from '../codec/header';
import { collectBands, type BandedImage } from '../core/bands';
import { releaseBuffer, releasingAfter } from '../core/bytes';
import { onceEnded } from '../core/ending';
import { sha256Hex } from '../core/digest';
import { checkDecodeCost } from '../codec/decode-guard';
import type { ModelCatalog, ModelLease } from '../core/model-catalog';
import type { ModelRunner } from '../core/model-runner';
import { cropBands, resizeBands } from '../core/resample';
import { planResize, type ResizePlan } from '../core/resize-plan';
import { tileSizeFor, type TileSizes } from '../core/tiling';
import { upscaleBands } from '../core/upscale';
import { yieldToEventLoop } from '../core/yield';
import { chooseFormat, type FormatPreferences } from './accept';
import { ServiceError } from './errors';
import type { Origin } from './origin';
import type { UpscaleParams } from './params';
import { openSource, type SourceDownload } from './source';
import type { StageTimer } from './timing';

/**
 * Size limits, checked from the header before the work they bound (bytes before download, pixels
 * before decode). Each is set from a measurement of the isolate's peak memory and of the time the
 * largest accepted request takes (README, "Limits"; docs/benchmarks.md).
 */
export interface Limits {
  /** Largest source file, in bytes (413 above it). */
  readonly sourceBytes: number;
  /** Longest source side, in pixels (422 above it). */
  readonly sourceSide: number;
  /** Largest source decoded in strips (baseline JPEG, non-interlaced PNG) for a resize that does not enlarge, in pixels (422 above it). */
  readonly sourcePixels: number;
  /**
   * Largest source decoded whole, in pixels (422 above it): the source of an upscale (the model's
   * tiles read it at random) and every progressive JPEG, interlaced PNG, WebP and AVIF.
   */
  readonly wholeSourcePixels: number;
  /**
   * Largest AVIF source, in pixels (422 above it), under {@link wholeSourcePixels} too: libavif's
   * decoder heap grows with the picture, too much beside the decoded image and onnxruntime's heap
   * at the whole-source limit (docs/avif.md).
   */
  readonly avifSourcePixels: number;
  /**
   * Largest JPEG source that does not decode in strips (progressive, or another variant the strip
   * decoder leaves to jpeg-js), in pixels (422 above it), under {@link wholeSourcePixels} too:
   * jpeg-js holds every DCT coefficient in small typed arrays besides the decoded image
   * (docs/benchmarks.md, "Streaming, buffers released").
   */
  readonly progressiveJpegSourcePixels: number;
  /** Largest output, or model output before a resample, in pixels (422 above it): both stream in bands. */
  readonly outputPixels: number;
  /**
   * Largest WebP output of an opaque source, in pixels: libwebp encodes whole pictures (422 above
   * it; `format=auto` picks another format instead).
   */
  readonly webpOutputPixels: number;
  /**
   * Largest WebP output of a source that may have alpha ({@link ImageHeader.mayHaveAlpha}), in
   * pixels, as {@link webpOutputPixels} otherwise: libwebp's heap takes 35-47 bytes per translucent
   * pixel against 14-16 per opaque one (docs/benchmarks.md, "Codec heaps counted").
   */
  readonly webpAlphaOutputPixels: number;
  /**
   * Largest AVIF output, in pixels: libavif encodes whole pictures, and slowly, in a heap that grows
   * with the picture (422 above it; `format=auto` picks another format instead). docs/avif.md.
   */
  readonly avifOutputPixels: number;
}

/**
 * What the largest request may cost, estimated from the header before the first byte is sent:
 * a refusal after that could only abort the stream. Seconds per output megapixel as measured in
 * workerd by `npm run bench` (docs/benchmarks.md, "Streaming").
 */
export interface CostModel {
  /** Inference, tiles and their overlap included, per model output megapixel, by scale. */
  readonly inferSecondsPerMegapixel: Readonly<Record<number, number>>;
  /** Decoding, resampling and encoding, per megapixel of the largest raster the plan streams. */
  readonly streamSecondsPerMegapixel: number;
  /** libavif's encode, per output megapixel, on top of the stream (absent: 0). docs/avif.md. */
  readonly avifEncodeSecondsPerMegapixel?: number;
}

export interface RenderOptions {
  readonly origin: Origin;
  readonly models: ModelCatalog;
  readonly codecs: ImageCodecs;
  readonly limits: Limits;
  readonly cost: CostModel;
  readonly originTimeoutMs: number;
  /** Processing budget of a request, in milliseconds: the cost estimate must fit it. */
  readonly deadlineMs: number;
  readonly tileSize: TileSizes;
  /** Quality of lossy outputs when the request gives none. */
  readonly defaultQuality: number;
}

export interface RenderRequest {
  /** Origin path and query (our parameters removed). */
  readonly path: string;
  readonly params: UpscaleParams;
  /** The client's format preferences (from `Accept`), used by `format=auto`. */
  readonly preferences: FormatPreferences;
  /** The processing deadline; checked between stages, tiles and bands. */
  readonly signal: AbortSignal;
  /**
   * Whether the client sent a validator (`If-None-Match`): its rendition is then prepared from the
   * whole source, whose SHA-256 (the tag) is known before any pixel work, so that a match costs
   * no decode.
   */
  readonly conditional: boolean;
}

/** A rendition ready to stream: everything that can refuse it has run. */
export interface PreparedRendition {
  readonly format: ImageFormat;
  /** SHA-256 (hex) of the downloaded source, for validators derived from it. */
  readonly sourceSha256: string;
  /**
   * The encoded bytes as they are produced; pulling them runs inference, resampling and encoding.
   * When it ends, however it ends, it releases the source's bytes and pixels.
   */
  readonly body: AsyncGenerator<Uint8Array<ArrayBuffer>>;
}

/**
 * The work behind a cache miss, in two parts. Before the first byte, as timed stages with the
 * deadline checked after each: fetch (the source's head; the model of a fixed scale warms up
 * meanwhile), header, plan, every limit and the cost estimate (refusals come from the head, before
 * the rest downloads), download, and, when the source is decoded whole, the decode. Then the body,
 * a pipeline of bands: inference tile row by tile row (when the plan enlarges), resample and crop
 * row by row, encode band by band. The output never exists whole (except for WebP and AVIF, whose
 * encoders need the picture), and a thumbnail's source is decoded in strips, shrunk in the DCT
 * domain when it is a baseline JPEG; a small thumbnail of a baseline JPEG is rendered as the
 * source downloads ({@link renderWhileDownloading}).
 *
 * @example
 * const { format, body } = await prepareRendition({ path: '/a.png', params, preferences, signal, conditional: false }, options, timer);
 * for await (const chunk of body) write(chunk);
 */
export async function prepareRendition(request: RenderRequest, options: RenderOptions, timer: StageTimer): Promise<PreparedRendition> {
  const { params, signal } = request;
  // A fixed scale names its model up front: load it while the source downloads (the lease below
  // shares that load; a failed load is reported there).
  if (params.resize.kind === 'scale') options.models.warm(params.resize.scale);
  const fetchOptions = { timeoutMs: options.originTimeoutMs, maxBytes: options.limits.sourceBytes, headComplete: headerIsComplete };
  const download = await timer.time('fetch', () => openSource(options.origin, request.path, fetchOptions));
  let lease: ModelLease | undefined;
  try {
    signal.throwIfAborted();
    const early = headerIsComplete(download.head) ? planRendition(readImageHeader(download.head), request, options) : undefined;
    if (early !== undefined && rendersWhileDownloading(early, request)) {
      return await timer.time('render', () => renderWhileDownloading(download, early, request, options));
    }
    const source = await timer.time('download', () => download.readAll());
    signal.throwIfAborted();
    const { header, plan, format } = early ?? planRendition(readImageHeader(source), request, options);
    lease = plan.scale === undefined ? undefined : await timer.time('model', () => options.models.lease(plan.scale!));
    await timer.time('check', () => checkDecodeCost(source, header));
    const sourceSha256 = await sha256Hex(source);
    const decoded = await timer.time('decode', () => decodeSource(source, header, plan, lease?.runner, options, signal));
    signal.throwIfAborted();
    const output = resizeAndCrop(decoded, plan);
    const encoded = options.codecs.encodeBands(output, format, params.quality ?? options.defaultQuality);
    const held = lease;
    const body = onceEnded(checkedBetweenChunks(encoded, signal), () => {
      releaseBuffer(source);
      held?.end();
    });
    return { format, sourceSha256, body };
  } catch (error) {
    lease?.end();
    await download.cancel();
    throw error;
  }
}

interface PlannedRendition {
  readonly header: ImageHeader;
  readonly plan: ResizePlan;
  readonly format: ImageFormat;
}

/** The plan and the output format, after every check the header allows: pixel limits, format limits, cost. */
function planRendition(header: ImageHeader, request: RenderRequest, options: RenderOptions): PlannedRendition {
  const plan = planResize(header, request.params.resize, options.models.scales);
  checkPixelLimits(header, plan, options.limits);
  const format = outputFormat(request.params, header, request.preferences, plan, options.limits);
  checkCost(plan, format, options);
  return { header, plan, format };
}

/**
 * Largest output rendered as its source downloads, in pixels (1280x819): its encoded bytes wait
 * until the source has been read whole (the tag hashes it), so they must stay small next to the
 * source they keep out of memory (at most 4 bytes a pixel, as PNG of noise; a JPEG a tenth of that).
 */
const RENDERED_WHILE_DOWNLOADING_PIXELS = 1 << 20;

/** A thumbnail of a baseline JPEG (decoded in strips as it arrives), not asked for conditionally. */
function rendersWhileDownloading({ header, plan }: PlannedRendition, request: RenderRequest): boolean {
  const thumbnail = plan.scale === undefined && plan.output.width * plan.output.height <= RENDERED_WHILE_DOWNLOADING_PIXELS;
  return thumbnail && header.format === 'jpeg' && header.decodesInStrips && !request.conditional;
}

/**
 * Renders a thumbnail of a baseline JPEG while the source downloads: its MCU rows are decoded,
 * shrunk and encoded as their bytes arrive, so the compressed source is never held whole (a 24 MP
 * photo is about 6 MiB; the scan window, about one MCU row). The encoded output is held until the
 * last byte of the source has been read and hashed, so that the tag derived from the source's
 * SHA-256 ({@link PreparedRendition.sourceSha256}) is known before the first byte is sent, and any
 * failure is still an error response rather than a cut stream.
 */
async function renderWhileDownloading(
  download: SourceDownload,
  { header, plan, format }: PlannedRendition,
  request: RenderRequest,
  options: RenderOptions,
): Promise<PreparedRendition> {
  const { signal, params } = request;
  const hash = createHash('sha256').update(download.head);
  const rest = hashedAsRead(download.rest(), hash, signal);
  const encodedChunks: Uint8Array<ArrayBuffer>[] = [];
  try {
    const decoded = await options.codecs.decodeBands({ head: download.head, rest }, header, plan.resize);
    const encoded = options.codecs.encodeBands(resizeAndCrop(decoded, plan), format, params.quality ?? options.defaultQuality);
    for await (const chunk of checkedBetweenChunks(encoded, signal)) encodedChunks.push(chunk);
    while ((await rest.next()).done !== true); // the bytes after the image, for the tag
  } finally {
    await rest.return(undefined);
  }
  return { format, sourceSha256: hash.digest('hex'), body: replay(encodedChunks) };
}

/** Feeds each chunk to `hash` as it passes, checking the deadline between chunks. */
async function* hashedAsRead(chunks: AsyncGenerator<Uint8Array>, hash: ReturnType<typeof createHash>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    signal.throwIfAborted();
    hash.update(chunk);
    yield chunk;
  }
}

/** Yields the chunks in order, letting go of each as it is sent. */
async function* replay(chunks: Uint8Array<ArrayBuffer>[]): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  for (let chunk = chunks.shift(); chunk !== undefined; chunk = chunks.shift()) yield chunk;
}

/**
 * The source as a banded image at the plan's first step: upscaled band by band (the source itself
 * decoded whole, which the tiles read at random), or decoded in strips for a resample, shrunk on
 * load towards the resample's size.
 */
async function decodeSource(
  source: Uint8Array<ArrayBuffer>,
  header: ImageHeader,
  plan: ResizePlan,
  runner: ModelRunner | undefined,
  options: RenderOptions,
  signal: AbortSignal,
): Promise<BandedImage> {
  if (runner === undefined) return options.codecs.decodeBands(source, header, plan.resize);
  const image = await collectBands(await options.codecs.decodeBands(source, header));
  releaseBuffer(source);
  const upscaled = upscaleBands(image, runner, { tileSize: tileSizeFor(options.tileSize, runner.model.scale), signal, beforeTile: yieldToEventLoop });
  return { ...upscaled, bands: releasingAfter(upscaled.bands, image.data) };
}

/** The plan's resample (when the size still differs) and crop (`cover`), as band transforms. */
function resizeAndCrop(image: BandedImage, plan: ResizePlan): BandedImage {
  const { resize, crop } = plan;
  const resized = resizeBands(image, resize.width, resize.height);
  return crop === undefined ? resized : cropBands(resized, crop);
}

/** The source limit of a format whose decoder needs more than the decoded image, if the source has one. */
function formatSourceLimit(header: ImageHeader, limits: Limits): { readonly pixels: number; readonly why: string } | undefined {
  if (header.format === 'avif') return { pixels: limits.avifSourcePixels, why: 'as an AVIF source' };
  if (header.format === 'jpeg' && !header.decodesInStrips)
    return { pixels: limits.progressiveJpegSourcePixels, why: 'as a JPEG that decodes whole (progressive)' };
  return undefined;
}

/** Limits from the header alone, before a pixel is decoded: the source, and every raster the plan makes. */
function checkPixelLimits(header: ImageHeader, plan: ResizePlan, limits: Limits): void {
  const { width, height } = header;
  if (Math.max(width, height) > limits.sourceSide) {
    throw new ServiceError(422, 'image_too_large', `the source image is ${width}x${height}; sides of at most ${limits.sourceSide} pixels are accepted`);
  }
  const whole = plan.scale !== undefined || !header.decodesInStrips;
  const own = formatSourceLimit(header, limits);
  const sourceLimit = Math.min(own?.pixels ?? Infinity, whole ? limits.wholeSourcePixels : limits.sourcePixels);
  if (width * height > sourceLimit) {
    const why =
      own !== undefined && own.pixels === sourceLimit
        ? own.why
        : plan.scale !== undefined
          ? 'as the source of an upscale'
          : `as a ${header.format} that decodes whole`;
    throw new ServiceError(422, 'image_too_large', `the source image is ${width}x${height}; at most ${sourceLimit} pixels are accepted ${why}`);
  }
  // The rasters the plan produces: the model's output (when it runs) and the resample's.
  const produced = plan.scale === undefined ? plan.resize.width * plan.resize.height : plan.peakPixels;
  if (produced > limits.outputPixels) {
    const work = plan.scale === undefined ? `resizing ${width}x${height}` : `upscaling ${width}x${height} by ${plan.scale}`;
    const target = `to ${plan.output.width}x${plan.output.height}`;
    throw new ServiceError(422, 'image_too_large', `${work} ${target} needs ${produced} pixels, over the ${limits.outputPixels}-pixel output limit`);
  }
}

/** The pixel limit of each format encoded whole (none: the format streams). */
function wholeEncodeLimit(format: ImageFormat, limits: Limits, header: ImageHeader): number | undefined {
  switch (format) {
    case 'webp':
      return header.mayHaveAlpha ? limits.webpAlphaOutputPixels : limits.webpOutputPixels;
    case 'avif':
      return limits.avifOutputPixels;
    default:
      return undefined;
  }
}

const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', avif: 'AVIF' };

function outputFormat(params: UpscaleParams, source: ImageHeader, preferences: FormatPreferences, plan: ResizePlan, limits: Limits): ImageFormat {
  const outputPixels = plan.output.width * plan.output.height;
  const allowed = IMAGE_FORMATS.filter((format) => outputPixels <= (wholeEncodeLimit(format, limits, source) ?? Infinity));
  const format = params.format === 'auto' ? chooseFormat(preferences, source.format, allowed) : (params.format ?? source.format);
  if (!allowed.includes(format)) {
    const output = `${plan.output.width}x${plan.output.height}`;
    const others = [...allowed.filter((other) => other !== format), 'format=auto'];
    const ask = `${others.slice(0, -1).join(', ')} or ${others.at(-1)}`;
    throw new ServiceError(
      422,
      'image_too_large',
      `${FORMAT_NAMES[format]} output is limited to ${wholeEncodeLimit(format, limits, source)} pixels (this one is ${output}); ask for ${ask}`,
    );
  }
  if (params.quality !== undefined && !isLossy(format)) {
    throw new ServiceError(400, 'invalid_parameter', `quality applies to lossy output only (jpeg, webp, avif); this output is ${format}`);
  }
  return format;
}

/** Refuses, before the first byte, a request whose estimated time would not fit the deadline. */
function checkCost(plan: ResizePlan, format: ImageFormat, options: RenderOptions): void {
  const seconds = estimateSeconds(plan, options.cost, format);
  if (seconds * 1000 > options.deadlineMs) {
    throw new ServiceError(
      422,
      'image_too_large',
      `this rendition would take about ${seconds.toFixed(1)} s, over this service's ${(options.deadlineMs / 1000).toFixed(1)} s budget`,
    );
  }
}

/**
 * Seconds the plan is estimated to take: inference over the model's output, plus decoding,
 * resampling and encoding over the largest raster streamed, plus libavif's encode over the output
 * when `format` is AVIF.
 *
 * @example
 * estimateSeconds(planResize({ width: 2048, height: 2048 }, { kind: 'scale', scale: 2 }, [2]), cost); // ~ 16.8 * cost.inferSecondsPerMegapixel[2] + ...
 */
function estimateSeconds(plan: ResizePlan, cost: CostModel, format?: ImageFormat): number {
  const megapixels = plan.peakPixels / 1e6;
  const infer =
    plan.scale === undefined ? 0 : megapixels * (cost.inferSecondsPerMegapixel[plan.scale] ?? Math.max(...Object.values(cost.inferSecondsPerMegapixel)));
  const avifEncode = format === 'avif' ? ((plan.output.width * plan.output.height) / 1e6) * (cost.avifEncodeSecondsPerMegapixel ?? 0) : 0;
  return infer + megapixels * cost.streamSecondsPerMegapixel + avifEncode;
}

/** Checks the deadline between chunks and lets other requests run (the work between them is synchronous). */
async function* checkedBetweenChunks(body: AsyncGenerator<Uint8Array<ArrayBuffer>>, signal: AbortSignal): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  for await (const chunk of body) {
    signal.throwIfAborted();
    yield chunk;
    await yieldToEventLoop();
  }
}
