import type { Context, MiddlewareHandler } from 'hono';
import { MEDIA_TYPES } from '../codec/format';
import { formatPreferences } from './accept';
import { upscaleCacheKey } from './cache-key';
import { ifNoneMatchMatches, strongEtag } from './conditional';
import { logServiceError, toServiceError } from './errors';
import type { Origin } from './origin';
import { originQuery, parseUpscaleParams } from './params';
import { render, type RenderOptions } from './pipeline';
import { StageTimer } from './timing';

export interface UpscaleOptions extends Omit<RenderOptions, 'origin'> {
  /** The origin for this request (chosen per request, e.g. from bindings). */
  readonly origin: (c: Context) => Origin;
  /** Where upscaled responses are kept; `undefined` disables caching. */
  readonly cache: Cache | undefined;
  /** `Cache-Control` of upscaled responses (also how long the Cache API keeps them). */
  readonly cacheControl: string;
  /** Processing budget per request after the cache lookup, in milliseconds (503 when exceeded). */
  readonly deadlineMs: number;
}

/** RFC 9211 `Cache-Status` cache name. */
const CACHE_NAME = 'wdsr-edge';

/**
 * Hono middleware that answers GET/HEAD requests carrying `upscale` (and optionally `format`,
 * `quality`) with the super-resolved origin image, from the cache when it can. Requests without
 * our parameters go to `next()`. Errors are thrown as {@link ServiceError}s, which render as JSON.
 *
 * @example
 * app.use('/images/*', upscale({ origin: () => urlPrefixOrigin('https://img.example.com'), models, codecs, ... }));
 */
export function upscale(options: UpscaleOptions): MiddlewareHandler {
  return async function upscale(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const url = new URL(c.req.url);
    // A bad parameter is a client error: thrown as is (400), not logged.
    const params = parseUpscaleParams(url.searchParams, options.models.scales);
    if (params === undefined) return next();
    try {
      const model = options.models.entry(params.scale)!; // parsing admits only catalog scales
      const preferences = formatPreferences(c.req.header('Accept'));
      const key = upscaleCacheKey(url, params, params.format === 'auto' ? preferences : undefined, model.sha256);
      const varyHeaders: Record<string, string> = params.format === 'auto' ? { Vary: 'Accept' } : {};
      const timer = new StageTimer();
      const cached = options.cache && (await timer.time('cache', () => options.cache!.match(key)));
      if (cached) return respond(c, cached, { 'Cache-Status': `${CACHE_NAME}; hit`, 'Server-Timing': timer.header(), ...varyHeaders });

      const signal = AbortSignal.timeout(options.deadlineMs);
      const request = { path: url.pathname + originQuery(url.search), params, preferences, signal };
      const { bytes, format } = await render(request, { ...options, origin: options.origin(c) }, timer);
      const fresh = new Response(bytes, {
        headers: { 'Content-Type': MEDIA_TYPES[format], 'Cache-Control': options.cacheControl, ETag: await strongEtag(bytes) },
      });
      const stored = options.cache !== undefined && storable(options.cacheControl);
      if (stored) afterResponse(c, options.cache!.put(key, fresh.clone()));
      const cacheStatus = options.cache === undefined ? `${CACHE_NAME}; fwd=bypass` : `${CACHE_NAME}; fwd=uri-miss${stored ? '; stored' : ''}`;
      return respond(c, fresh, { 'Cache-Status': cacheStatus, 'Server-Timing': timer.header(), ...varyHeaders });
    } catch (error) {
      const serviceError = toServiceError(error);
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    }
  };
}

/** Adds per-request headers and answers `If-None-Match` with 304 when the tag matches. */
function respond(c: Context, response: Response, headers: Record<string, string>): Response {
  const etag = response.headers.get('ETag');
  if (etag !== null && ifNoneMatchMatches(c.req.header('If-None-Match'), etag)) {
    void response.body?.cancel();
    // RFC 9110 15.4.5: a 304 carries the validators and caching headers a 200 would have had.
    return new Response(null, { status: 304, headers: { ETag: etag, 'Cache-Control': response.headers.get('Cache-Control') ?? '', ...headers } });
  }
  const result = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) result.headers.set(name, value);
  return result;
}

/** The Cache API refuses or ignores responses the client-facing policy forbids storing. */
function storable(cacheControl: string): boolean {
  return !/(^|[\s,])(no-store|private)([\s,=]|$)/i.test(cacheControl);
}

/** Cache writes happen after the response is sent when the runtime allows (`waitUntil`). */
function afterResponse(c: Context, work: Promise<unknown>): void {
  const logged = work.catch((error: unknown) => console.error('[wdsr-edge] cache put failed:', error));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    // No execution context (e.g. `app.request()` in tests): the promise still runs to completion.
  }
}
