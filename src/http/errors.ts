import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { MalformedImageError, UnsupportedImageError } from '../codec/errors';
import { DecodeCostError } from '../codec/decode-guard';
import { ModelUnavailableError } from '../core/model-catalog';

/** Machine-readable error codes, one per failure a client can tell apart. */
export type ErrorCode =
  | 'invalid_parameter'
  | 'invalid_path'
  | 'invalid_signature'
  | 'origin_not_found'
  | 'source_too_large'
  | 'unsupported_image'
  | 'malformed_image'
  | 'image_too_large'
  | 'origin_error'
  | 'model_unavailable'
  | 'deadline_exceeded'
  | 'origin_timeout'
  | 'internal_error';

/**
 * The service's one error type: an HTTP status, a stable code and a message safe to show the
 * client. Internal detail goes in `cause`, which is logged and never sent. Being an
 * `HTTPException`, it renders itself through Hono's default error handler too, so the middleware
 * works in apps that do not install ours.
 *
 * @example
 * throw new ServiceError(400, 'invalid_parameter', 'upscale must be one of 2, 3, 4');
 */
export class ServiceError extends HTTPException {
  override readonly name = 'ServiceError';
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(status, { message, cause: options.cause });
  }

  /** `{"error":{"code","message"}}`, never cached: errors are often transient. */
  override getResponse(): Response {
    return Response.json({ error: { code: this.code, message: this.message } }, { status: this.status, headers: { 'Cache-Control': 'no-store' } });
  }
}

/**
 * Maps anything thrown while serving a request to the error the client sees: our own errors
 * pass through, known failures of lower layers get their status, the rest become an opaque 500.
 *
 * @example
 * catch (error) { throw toServiceError(error); }
 */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof UnsupportedImageError) return new ServiceError(415, 'unsupported_image', error.message, { cause: error });
  if (error instanceof MalformedImageError) return new ServiceError(422, 'malformed_image', 'the source image is damaged or truncated', { cause: error });
  if (error instanceof DecodeCostError) return new ServiceError(422, 'image_too_large', error.message, { cause: error });
  if (error instanceof ModelUnavailableError) {
    return new ServiceError(503, 'model_unavailable', `the x${error.model.scale} model is unavailable on this instance`, { cause: error });
  }
  if (isTimeout(error)) return new ServiceError(503, 'deadline_exceeded', 'processing took longer than this service allows', { cause: error });
  return new ServiceError(500, 'internal_error', 'internal error', { cause: error });
}

/** The reason `AbortSignal.timeout()` aborts with: a `DOMException` named `TimeoutError`. */
export function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';
}

/**
 * Logs a server-side failure with its cause; client errors (4xx) are not worth a log line, except
 * `after` the headers were sent, when the client saw only an aborted body.
 */
export function logServiceError(error: ServiceError, request: Request, after?: string): void {
  if (error.status < 500 && after === undefined) return;
  const when = after === undefined ? '' : ` (${after}: the response was aborted)`;
  console.error(`[wdsr-edge] ${error.status} ${error.code} ${request.method} ${request.url}${when}:`, error.cause ?? error.message);
}
