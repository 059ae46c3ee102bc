import type { Context, MiddlewareHandler } from 'hono';
import { MEDIA_TYPES } from '../codec/format';
import { formatPreferences } from './accept';
import { renditionCacheKey, renditionId } from './cache-key';
import { Coalescer } from './coalesce';
import { ifNoneMatchMatches, renditionEtag } from './conditional';
import { logServiceError, ServiceError, toServiceError } from './errors';
import { originPath, type Origin } from './origin';
import { originQuery, parseUpscaleParams, wantsRendition } from './params';
import { prepareRendition, type RenderOptions, type RenderRequest } from './pipeline';
import { SIGNATURE_PARAM, signatureVerifier } from './signature';
import { streamBody } from './stream-body';
import { StageTimer } from './timing';

export interface RenditionServiceOptions extends Omit<RenderOptions, 'origin'> {
  /** The origin for this request (chosen per request, e.g. from bindings). */
  readonly origin: (c: Context) => Origin;
  /** Where renditions are kept; `undefined` disables caching. */
  readonly cache: Cache | undefined;
  /** `Cache-Control` of renditions (also how long the Cache API keeps them). */
  readonly cacheControl: string;
  /** Keys accepted for signed URLs (`s=`, see `signUrl`); empty: no signature is required. */
  readonly signingKeys: readonly string[];
}

/** RFC 9211 `Cache-Status` cache name. */
const CACHE_NAME = 'wdsr-edge';

/** A miss being served: its response, and whether its body reached the cache (false on failure or abort). */
interface StartedMiss {
  readonly response: Response;
  readonly stored: Promise<boolean>;
}

/**
 * Hono middleware that answers GET/HEAD requests carrying rendition parameters (`upscale`, or
 * `width`/`height` with `fit` and `dpr`; `format`, `quality`) with the super-resolved, resized
 * origin image, from the cache when it can. With signing keys, such requests must carry a valid
 * signature (403 otherwise) before anything else happens. Requests without our parameters go to
 * `next()`. Errors are thrown as {@link ServiceError}s, which render as JSON.
 *
 * A miss streams: every refusal (limits, cost, format, a damaged source that decodes whole) comes
 * before the headers, then the body flows while later tiles are still computing. The cache gets
 * the same stream (a tee) and keeps only complete bodies. Concurrent identical misses in one
 * isolate compute once: the others wait for the stored entry and are answered from it.
 *
 * @example
 * app.use('/images/*', serveRenditions({ origin: () => urlPrefixOrigin('https://img.example.com'), models, codecs, ... }));
 */
export function serveRenditions(options: RenditionServiceOptions): MiddlewareHandler {
  const verify = options.signingKeys.length > 0 ? signatureVerifier(options.signingKeys) : undefined;
  const inFlight = new Coalescer<boolean>();
  return async function serveRenditions(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const url = new URL(c.req.url);
    if (!wantsRendition(url.searchParams)) return next();
    // Client errors are thrown as they are (403, 400), not logged. The signature comes first, so
    // an unsigned URL learns nothing, not even whether its parameters would parse.
    if (verify !== undefined && !(await verify(url))) throw badSignature(url);
    const params = parseUpscaleParams(url.searchParams, options.models.scales)!; // defined: wantsRendition
    try {
      const preferences = formatPreferences(c.req.header('Accept'));
      const negotiated = params.format === 'auto' ? preferences : undefined;
      const key = renditionCacheKey(url, params, negotiated, options.models);
      const id = renditionId(url, params, negotiated, options.models);
      const varyHeaders: Record<string, string> = params.format === 'auto' ? { Vary: 'Accept' } : {};
      const timer = new StageTimer();
      const cache = options.cache;
      const cached = cache && (await timer.time('cache', () => cache.match(key)));
      if (cached) return respond(c, cached, { 'Cache-Status': `${CACHE_NAME}; hit`, 'Server-Timing': timer.header(), ...varyHeaders });

      const request = {
        path: originPath(url) + originQuery(url.search),
        params,
        preferences,
        signal: AbortSignal.timeout(options.deadlineMs),
        conditional: c.req.header('If-None-Match') !== undefined,
      };
      const miss = () => startMiss(c, request, { key, id }, options, timer);
      if (cache === undefined) {
        const { response } = await miss();
        return respond(c, response, { 'Cache-Status': `${CACHE_NAME}; fwd=bypass`, 'Server-Timing': timer.header(), ...varyHeaders });
      }
      let leader: Promise<StartedMiss> | undefined;
      const { result, joined } = inFlight.run(key, () => {
        leader = miss();
        return leader.then((started) => started.stored);
      });
      if (!joined) {
        // The leader hears of its own failure through `leader`; `result` only carries it to joiners.
        result.catch(() => {});
        const { response, stored } = await leader!;
        afterResponse(c, stored);
        const status = `${CACHE_NAME}; fwd=uri-miss${storable(options.cacheControl) ? '; stored' : ''}`;
        return respond(c, response, { 'Cache-Status': status, 'Server-Timing': timer.header(), ...varyHeaders });
      }
      // Joined: the leader's failure before its first byte is ours too; after it, or without an
      // entry to read, this request computes its own.
      const stored = await timer.time('coalesced', () => result);
      const collapsed = stored ? await cache.match(key) : undefined;
      const status = `${CACHE_NAME}; fwd=uri-miss; collapsed`;
      if (collapsed) return respond(c, collapsed, { 'Cache-Status': status, 'Server-Timing': timer.header(), ...varyHeaders });
      const own = await miss();
      afterResponse(c, own.stored);
      const ownStatus = `${status}${storable(options.cacheControl) ? '; stored' : ''}`;
      return respond(c, own.response, { 'Cache-Status': ownStatus, 'Server-Timing': timer.header(), ...varyHeaders });
    } catch (error) {
      const serviceError = toServiceError(error);
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    }
  };
}

/**
 * Prepares a rendition (everything that can refuse it) and answers with its streaming body; a
 * conditional request whose tag matches gets a 304 without any pixel work. With a cache (and a
 * storable policy), the body is teed into it.
 */
async function startMiss(
  c: Context,
  request: RenderRequest,
  rendition: { key: string; id: string },
  options: RenditionServiceOptions,
  timer: StageTimer,
): Promise<StartedMiss> {
  const { key, id } = rendition;
  const prepared = await prepareRendition(request, { ...options, origin: options.origin(c) }, timer);
  const etag = await renditionEtag(prepared.sourceSha256, id);
  const headers = { 'Content-Type': MEDIA_TYPES[prepared.format], 'Cache-Control': options.cacheControl, ETag: etag };
  if (ifNoneMatchMatches(c.req.header('If-None-Match'), etag)) {
    await prepared.body.return(undefined);
    return { response: new Response(null, { headers }), stored: Promise.resolve(false) };
  }
  const body = streamBody(prepared.body, (error) => logServiceError(toServiceError(error), c.req.raw, 'after the first byte'));
  if (options.cache === undefined || !storable(options.cacheControl)) return { response: new Response(body, { headers }), stored: Promise.resolve(false) };
  const [client, store] = body.tee();
  const cache = options.cache;
  const stored = cache.put(key, new Response(store, { headers })).then(
    () => true,
    // A failed or aborted body (logged above) rejects the put. wrangler dev's Cache API keeps the
    // bytes it read before the failure even so, as a complete-looking entry: delete it.
    () => cache.delete(key).then(() => false),
  );
  return { response: new Response(client, { headers }), stored };
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

/** The cache write finishes after the response is sent when the runtime allows (`waitUntil`). */
function afterResponse(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (e.g. `app.request()` in tests): the promise still runs to completion.
  }
}
