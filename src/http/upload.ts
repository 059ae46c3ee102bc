import type { Context, Handler } from 'hono';
import { MEDIA_TYPES } from '../codec/format';
import { formatPreferences } from './accept';
import { logServiceError, ServiceError, toServiceError } from './errors';
import type { Origin } from './origin';
import { originQuery, parseUpscaleParams, PARAM_NAMES } from './params';
import { render, type RenderOptions } from './pipeline';
import { StageTimer } from './timing';

export interface UploadOptions extends Omit<RenderOptions, 'origin'> {
  /** Processing budget per request, in milliseconds (503 when exceeded). */
  readonly deadlineMs: number;
}

/**
 * Handles `POST` uploads (the image bytes as the request body; its `Content-Type` is not trusted,
 * magic bytes decide) with the GET parameters `upscale` (required), `format` and `quality`. The
 * body goes through the same pipeline, limits and errors as an origin image: 413 by
 * `Content-Length` or while reading, 422 by header size before decoding, and so on. A body that
 * takes longer than `originTimeoutMs` to arrive is a 504, like a slow origin. Results are
 * `no-store`: uploads are one-off, so caching them would only evict useful entries.
 *
 * @example
 * app.post('/_wdsr/upscale', upload({ ...readConfig(env), models, codecs }));
 * // curl --data-binary @cat.png 'https://edge.example.com/_wdsr/upscale?upscale=2&format=webp'
 */
export function upload(options: UploadOptions): Handler {
  return async function upload(c) {
    const url = new URL(c.req.url);
    const params = parseUpscaleParams(url.searchParams, options.models.scales);
    if (params === undefined) throw invalid(`upscale is required; allowed: ${options.models.scales.join(', ')}`);
    // There is no origin to forward other parameters to, so they can only be mistakes.
    if (originQuery(url.search) !== '') throw invalid(`uploads take only ${PARAM_NAMES.join(', ')} as query parameters`);
    try {
      const timer = new StageTimer();
      const request = { path: url.pathname, params, preferences: formatPreferences(c.req.header('Accept')), signal: AbortSignal.timeout(options.deadlineMs) };
      const { bytes, format } = await render(request, { ...options, origin: requestBodyOrigin(c) }, timer);
      const headers: Record<string, string> = { 'Content-Type': MEDIA_TYPES[format], 'Cache-Control': 'no-store', 'Server-Timing': timer.header() };
      if (params.format === 'auto') headers.Vary = 'Accept';
      return new Response(bytes, { headers });
    } catch (error) {
      const serviceError = toServiceError(error);
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    }
  };
}

/**
 * The request body as the pipeline's origin: whatever path is asked for, the answer is the body,
 * with the client's `Content-Length` (so oversized uploads are refused before they are read) and
 * the pipeline's download signal (so a stalled upload is cut off like a stalled origin).
 */
function requestBodyOrigin(c: Context): Origin {
  return {
    async fetch(_path, init) {
      const length = c.req.header('Content-Length');
      const body = c.req.raw.body && init.signal ? untilAborted(c.req.raw.body, init.signal) : c.req.raw.body;
      return new Response(body, { headers: length === undefined ? {} : { 'Content-Length': length } });
    },
  };
}

/** `body`, erroring with the signal's reason once it aborts (a pending read included). */
function untilAborted(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener('abort', () => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => {});
      }, { once: true });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (signal.aborted) return; // already errored by the listener
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function invalid(message: string): ServiceError {
  return new ServiceError(400, 'invalid_parameter', message);
}
