import type { Context, MiddlewareHandler } from 'hono';
import { MEDIA_TYPES } from '../codec/format';
import { formatPreferences } from './accept';
import { renditionCacheKey } from './cache-key';
import { Coalescer } from './coalesce';
import { ifNoneMatchMatches, strongEtag } from './conditional';
import { logServiceError, ServiceError, toServiceError } from './errors';
import { originPath, type Origin } from './origin';
import { originQuery, parseUpscaleParams, wantsRendition } from './params';
import { render, type Rendition, type RenderOptions } from './pipeline';
import { SIGNATURE_PARAM, signatureVerifier } from './signature';
import { StageTimer } from './timing';

export interface UpscaleOptions extends Omit<RenderOptions, 'origin'> {
  /** The origin for this request (chosen per request, e.g. from bindings). */
  readonly origin: (c: Context) => Origin;
  /** Where renditions are kept; `undefined` disables caching. */
  readonly cache: Cache | undefined;
  /** `Cache-Control` of renditions (also how long the Cache API keeps them). */
  readonly cacheControl: string;
  /** Processing budget per request after the cache lookup, in milliseconds (503 when exceeded). */
  readonly deadlineMs: number;
  /** Keys accepted for signed URLs (`s=`, see `signUrl`); empty: no signature is required. */
  readonly signingKeys: readonly string[];
}

/** RFC 9211 `Cache-Status` cache name. */
const CACHE_NAME = 'wdsr-edge';

interface SharedRendition extends Rendition {
  readonly etag: string;
  readonly timing: string;
}

/**
 * Hono middleware that answers GET/HEAD requests carrying rendition parameters (`upscale`, or
 * `width`/`height` with `fit` and `dpr`; `format`, `quality`) with the super-resolved, resized
 * origin image, from the cache when it can. With signing keys, such requests must carry a valid
 * signature (403 otherwise) before anything else happens. Concurrent identical misses in one
 * isolate compute once. Requests without our parameters go to `next()`. Errors are thrown as
 * {@link ServiceError}s, which render as JSON.
 *
 * @example
 * app.use('/images/*', upscale({ origin: () => urlPrefixOrigin('https://img.example.com'), models, codecs, ... }));
 */
export function upscale(options: UpscaleOptions): MiddlewareHandler {
  const verify = options.signingKeys.length > 0 ? signatureVerifier(options.signingKeys) : undefined;
  const inFlight = new Coalescer<SharedRendition>();
  return async function upscale(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const url = new URL(c.req.url);
    if (!wantsRendition(url.searchParams)) return next();
    // Client errors are thrown as they are (403, 400), not logged. The signature comes first, so
    // an unsigned URL learns nothing, not even whether its parameters would parse.
    if (verify !== undefined && !(await verify(url))) throw badSignature(url);
    const params = parseUpscaleParams(url.searchParams, options.models.scales)!; // defined: wantsRendition
    const path = originPath(url) + originQuery(url.search);
    try {
      const preferences = formatPreferences(c.req.header('Accept'));
      const key = renditionCacheKey(url, params, params.format === 'auto' ? preferences : undefined, options.models);
      const varyHeaders: Record<string, string> = params.format === 'auto' ? { Vary: 'Accept' } : {};
      const timer = new StageTimer();
      const cached = options.cache && (await timer.time('cache', () => options.cache!.match(key)));
      if (cached) return respond(c, cached, { 'Cache-Status': `${CACHE_NAME}; hit`, 'Server-Timing': timer.header(), ...varyHeaders });

      const { result, joined } = inFlight.run(key, async () => {
        const request = { path, params, preferences, signal: AbortSignal.timeout(options.deadlineMs) };
        const rendition = await render(request, { ...options, origin: options.origin(c) }, timer);
        return { ...rendition, etag: await strongEtag(rendition.bytes), timing: timer.header() };
      });
      const { bytes, format, etag, timing } = joined ? await timer.time('coalesced', () => result) : await result;
      const fresh = new Response(bytes, { headers: { 'Content-Type': MEDIA_TYPES[format], 'Cache-Control': options.cacheControl, ETag: etag } });
      const stored = !joined && options.cache !== undefined && storable(options.cacheControl);
      if (stored) afterResponse(c, options.cache!.put(key, fresh.clone()));
      const cacheStatusValue = cacheStatus(options.cache !== undefined, joined, stored);
      return respond(c, fresh, { 'Cache-Status': cacheStatusValue, 'Server-Timing': joined ? timer.header() : timing, ...varyHeaders });
    } catch (error) {
      const serviceError = toServiceError(error);
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    }
  };
}

/** RFC 9211: a miss, `collapsed` when it joined another request's computation, `stored` when the leader stores it. */
function cacheStatus(caching: boolean, joined: boolean, stored: boolean): string {
  if (!caching) return `${CACHE_NAME}; fwd=bypass${joined ? '; collapsed' : ''}`;
  return `${CACHE_NAME}; fwd=uri-miss${joined ? '; collapsed' : ''}${stored ? '; stored' : ''}`;
}

function badSignature(url: URL): ServiceError {
  const message = url.searchParams.has(SIGNATURE_PARAM) ? 'the signature does not match this URL' : 'this URL must be signed (s=)';
  return new ServiceError(403, 'invalid_signature', message);
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
