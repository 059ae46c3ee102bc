import { abortable } from './abortable';
import { ServiceError } from './errors';
import type { Origin } from './origin';

/**
 * An origin in an R2 bucket: the request path, percent-decoded and without its leading slash and
 * query, is the object key, after `keyPrefix` (e.g. `images/`). Object storage has no directories,
 * so `..` means nothing to it, and the path has been normalised before it gets here
 * (`originPath`). Serves `GET` and `HEAD` like a static file server: the object's stored HTTP
 * metadata and ETag, conditional requests (304/412) and byte ranges (206) through R2's own
 * `onlyIf` and `range`; other methods are 405. The request's signal bounds the bucket call.
 *
 * @example
 * app.use('/images/*', upscale({ origin: (c) => r2Origin(c.env.IMAGES, 'public/') }));
 */
export function r2Origin(bucket: R2Bucket, keyPrefix = ''): Origin {
  return {
    async fetch(path, init) {
      const method = init.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
      const key = keyPrefix + objectName(path);
      if (method === 'HEAD') {
        const object = await abortable(bucket.head(key), init.signal);
        if (object === null) return new Response(null, { status: 404 });
        const headers = objectHeaders(object);
        headers.set('Content-Length', String(object.size));
        return new Response(null, { headers });
      }
      const conditions = new Headers(init.headers);
      const object = await abortable(bucket.get(key, { onlyIf: conditions, range: conditions }), init.signal);
      if (object === null) return new Response('not found', { status: 404 });
      const headers = objectHeaders(object);
      if (!('body' in object)) {
        // R2 returns the object without a body when `onlyIf` fails.
        const notModified = conditions.has('If-None-Match') || conditions.has('If-Modified-Since');
        return new Response(null, { status: notModified ? 304 : 412, headers });
      }
      if (!conditions.has('Range') || object.range === undefined) return new Response(object.body, { headers });
      const { first, last } = byteRange(object.range, object.size);
      headers.set('Content-Range', `bytes ${first}-${last}/${object.size}`);
      return new Response(object.body, { status: 206, headers });
    },
  };
}

/** What a static file server would say about the object: its stored HTTP metadata, ETag and upload time. */
function objectHeaders(object: R2Object): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set('ETag', object.httpEtag);
  headers.set('Last-Modified', object.uploaded.toUTCString());
  return headers;
}

/** The key named by a path (query dropped, percent-decoded, leading slash removed). */
function objectName(path: string): string {
  const pathname = path.split('?', 1)[0]!;
  try {
    return decodeURIComponent(pathname.replace(/^\//, ''));
  } catch {
    throw new ServiceError(400, 'invalid_path', 'the path has a malformed percent-escape');
  }
}

/** The first and last byte positions R2 served for a range (RFC 9110 14.4 `Content-Range`). */
function byteRange(range: R2Range, size: number): { first: number; last: number } {
  // Test values, not keys: runtimes report the unused fields as present but undefined.
  const { offset, length, suffix } = range as { offset?: number; length?: number; suffix?: number };
  if (suffix !== undefined) return { first: Math.max(0, size - suffix), last: size - 1 };
  const first = offset ?? 0;
  return { first, last: length === undefined ? size - 1 : Math.min(size, first + length) - 1 };
}
