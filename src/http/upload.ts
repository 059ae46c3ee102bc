import type { Context, Handler } from 'hono';
import { MEDIA_TYPES } from '../codec/format';
import { formatPreferences } from './accept';
import { logServiceError, ServiceError, toServiceError } from './errors';
import type { Origin } from './origin';
import { originQuery, parseUpscaleParams, PARAM_NAMES } from './params';
import { prepareRendition, type RenderOptions } from './pipeline';
import { signatureVerifier } from './signature';
import { streamBody } from './stream-body';
import { StageTimer } from './timing';

export interface UploadOptions extends Omit<RenderOptions, 'origin'> {
  /** Keys accepted for signed URLs, as for GET renditions; empty: no signature is required. */
  readonly signingKeys: readonly string[];
}

/**
 * Handles `POST` uploads: the image bytes as the request body (its `Content-Type` is not trusted,
 * magic bytes decide), with the rendition parameters of GET requests (`upscale`, or `width` /
 * `height` with `fit` and `dpr`; `format`, `quality`). The body goes through the same streaming pipeline,
 * limits and errors as an origin image: 413 by `Content-Length` or while reading, 422 by header
 * size before decoding, and so on; a body that takes longer than `originTimeoutMs` to arrive is a
 * 504, like a slow origin. With signing keys the upload URL must be signed too (403 otherwise),
 * or uploads would be a way around the deployment's signing. Results are `no-store`: uploads
 * are one-off, so caching them would only evict useful entries.
 *
 * @example
 * app.post('/_wdsr/upscale', upload({ ...readConfig(env), models, codecs }));
 * // curl --data-binary @cat.png 'https://edge.example.com/_wdsr/upscale?upscale=2&format=webp'
 */
export function upload(options: UploadOptions): Handler {
  const verify = options.signingKeys.length > 0 ? signatureVerifier(options.signingKeys) : undefined;
  return async function upload(c) {
    const url = new URL(c.req.url);
    if (verify !== undefined && !(await verify(url))) throw new ServiceError(403, 'invalid_signature', 'uploads need a URL signed with a valid signature (s=)');
    const params = parseUpscaleParams(url.searchParams, options.models.scales);
    if (params === undefined) throw invalid(`upscale (${options.models.scales.join(', ')}), width or height is required`);
    // There is no origin to forward other parameters to, so they can only be mistakes.
    if (originQuery(url.search) !== '') throw invalid(`uploads take only ${PARAM_NAMES.join(', ')} as query parameters`);
    try {
      const timer = new StageTimer();
      // No tag is sent for an upload (nothing to revalidate against), so it is never conditional.
      const request = {
        path: url.pathname,
        params,
        preferences: formatPreferences(c.req.header('Accept')),
        signal: AbortSignal.timeout(options.deadlineMs),
        conditional: false,
      };
      const { format, body } = await prepareRendition(request, { ...options, origin: requestBodyOrigin(c) }, timer);
      const headers: Record<string, string> = { 'Content-Type': MEDIA_TYPES[format], 'Cache-Control': 'no-store', 'Server-Timing': timer.header() };
      if (params.format === 'auto') headers.Vary = 'Accept';
      return new Response(
        streamBody(body, (error) => logServiceError(toServiceError(error), c.req.raw, 'after the first byte')),
        { headers },
      );
    } catch (error) {
      const serviceError = toServiceError(error);
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    }
  };
}

/**
 * The request body as the pipeline's origin: whatever path is asked for, the answer is the body,
 * with the client's `Content-Length`, so oversized uploads are refused before they are read. (The
 * pipeline bounds every read of it by its download signal, so a stalled upload is cut off too.)
 */
function requestBodyOrigin(c: Context): Origin {
  return {
    async fetch() {
      const length = c.req.header('Content-Length');
      return new Response(c.req.raw.body, { headers: length === undefined ? {} : { 'Content-Length': length } });
    },
  };
}

function invalid(message: string): ServiceError {
  return new ServiceError(400, 'invalid_parameter', message);
}
