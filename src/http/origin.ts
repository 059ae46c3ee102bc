import { ServiceError } from './errors';

/**
 * Where source images (and passed-through requests) come from. `path` is the request path plus
 * query, starting with `/` (see {@link originPath}); the origin decides what it is relative to, and
 * nothing in it can make the origin fetch another host. Redirects are followed only within the
 * origin (`redirect: 'manual'` returns them instead, for the pass-through).
 *
 * @example
 * const origin = urlPrefixOrigin('https://images.example.com/v1');
 * await origin.fetch('/cats/tom.png?rev=2', { method: 'GET' }); // https://images.example.com/v1/cats/tom.png?rev=2
 */
export interface Origin {
  fetch(path: string, init: RequestInit): Promise<Response>;
}

/** Redirect hops followed within an origin before giving up (browsers allow 20; an image needs few). */
export const MAX_REDIRECTS = 5;

/**
 * The origin-relative path of a request: its path as the URL parser normalised it (dot segments,
 * `%2e` spellings included, already resolved, backslashes already slashes), with runs of slashes
 * collapsed so that no `//host` form survives. Encoded slashes, backslashes and NUL are refused
 * (400): an origin that decodes them after routing would see a different, possibly escaping, path.
 *
 * @example
 * originPath(new URL('https://edge.dev//evil.com/a/../b.png')); // '/evil.com/b.png'
 * originPath(new URL('https://edge.dev/a%2F..%2Fsecret')); // throws 400 invalid_path
 */
export function originPath(url: URL): string {
  if (/%(2f|5c|00)/i.test(url.pathname)) throw new ServiceError(400, 'invalid_path', 'encoded slashes, backslashes and NUL bytes are not allowed in the path');
  return url.pathname.replace(/\/{2,}/g, '/');
}

/**
 * An origin reached over HTTP(S): the request path is appended to `prefix` (an `http:` or `https:`
 * URL without query or fragment; a trailing slash is ignored).
 */
export function urlPrefixOrigin(prefix: string, fetcher: typeof fetch = fetch): Origin {
  const base = parseOriginPrefix(prefix);
  return { fetch: (path, init) => fetchWithin(base, path, init, (url, hopInit) => fetcher(url, hopInit)) };
}

/**
 * An origin behind a Workers binding: the Worker's static assets (`env.ASSETS`) or a service
 * binding. Bindings take absolute URLs but ignore the host, so a fixed placeholder host is used.
 */
export function bindingOrigin(binding: Fetcher): Origin {
  return { fetch: (path, init) => fetchWithin('https://origin.invalid', path, init, (url, hopInit) => binding.fetch(new Request(url, hopInit))) };
}

/**
 * Validates an origin URL prefix and returns it without a trailing slash; throws `TypeError` with
 * the reason for anything else.
 *
 * @example
 * parseOriginPrefix('http://127.0.0.1:9000/'); // 'http://127.0.0.1:9000'
 */
export function parseOriginPrefix(prefix: string): string {
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    throw new TypeError(`origin ${JSON.stringify(prefix)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`origin ${prefix} must be http: or https:`);
  if (url.search !== '' || url.hash !== '') throw new TypeError(`origin ${prefix} must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

type Send = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Fetches `base + path`, following redirects (unless `init.redirect` is `manual`) only while they
 * stay under `base`, for at most {@link MAX_REDIRECTS} hops; anything else is a 502 and the
 * other host is never contacted. The path is appended as text, never resolved as a URL reference,
 * and the result is checked to be under `base` too.
 */
async function fetchWithin(base: string, path: string, init: RequestInit, send: Send): Promise<Response> {
  let url = underBase(base, base + path);
  if (url === undefined) throw new ServiceError(400, 'invalid_path', 'the path leaves the origin');
  for (let hop = 0; ; hop++) {
    const response = await send(url, { ...init, redirect: 'manual' });
    const location = response.headers.get('Location');
    if (init.redirect === 'manual' || !isRedirect(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop === MAX_REDIRECTS) throw new ServiceError(502, 'origin_error', `the origin redirected more than ${MAX_REDIRECTS} times`);
    url = underBase(base, location, url);
    if (url === undefined) throw new ServiceError(502, 'origin_error', 'the origin redirected outside itself');
  }
}

/** `reference` resolved (against `from`), if it lies under `base`; `undefined` otherwise. */
function underBase(base: string, reference: string, from?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(reference, from);
  } catch {
    return undefined;
  }
  return url.href.startsWith(`${base}/`) ? url.href : undefined;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
