import type { Context, Handler } from 'hono';
import { logServiceError, ServiceError } from './errors';
import { originPath, type Origin } from './origin';

/**
 * Forwards the request to the origin unchanged (method, headers, body, query; the path normalised
 * by {@link originPath}) and streams the origin's response back as it is, redirects included.
 * Only the wait for the response headers is bounded by `timeoutMs` (504); bodies stream for as
 * long as they take.
 *
 * @example
 * app.all('*', passthrough({ origin: (c) => bindingOrigin(c.env.ASSETS), timeoutMs: 10_000 }));
 */
export function passthrough(options: { readonly origin: (c: Context) => Origin; readonly timeoutMs: number }): Handler {
  return async function passthrough(c) {
    const url = new URL(c.req.url);
    const path = originPath(url) + url.search; // before the try: a refused path is the client's 400
    const headers = new Headers(c.req.raw.headers);
    headers.delete('Host'); // the origin's host comes from its own URL
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('origin timeout', 'TimeoutError')), options.timeoutMs);
    try {
      return await options.origin(c).fetch(path, {
        method: c.req.method,
        headers,
        body: c.req.raw.body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch (error) {
      const serviceError = controller.signal.aborted
        ? new ServiceError(504, 'origin_timeout', `the origin did not answer within ${options.timeoutMs} ms`, { cause: error })
        : new ServiceError(502, 'origin_error', 'the origin could not be reached', { cause: error });
      logServiceError(serviceError, c.req.raw);
      throw serviceError;
    } finally {
      clearTimeout(timer);
    }
  };
}
