/**
 * Where source images (and passed-through requests) come from. `path` is the request path plus
 * query, starting with `/`; the origin decides what it is relative to.
 *
 * @example
 * const origin = urlPrefixOrigin('https://images.example.com/v1');
 * await origin.fetch('/cats/tom.png?rev=2', { method: 'GET' }); // https://images.example.com/v1/cats/tom.png?rev=2
 */
export interface Origin {
  fetch(path: string, init: RequestInit): Promise<Response>;
}

/**
 * An origin reached over HTTP(S): the request path is appended to `prefix` (an `http:` or `https:`
 * URL without query or fragment; a trailing slash is ignored).
 */
export function urlPrefixOrigin(prefix: string, fetcher: typeof fetch = fetch): Origin {
  const base = parseOriginPrefix(prefix);
  return { fetch: (path, init) => fetcher(base + path, init) };
}

/**
 * An origin behind a Workers binding: the Worker's static assets (`env.ASSETS`) or a service
 * binding. Bindings take absolute URLs but ignore the host, so a fixed placeholder host is used.
 */
export function bindingOrigin(binding: Fetcher): Origin {
  return { fetch: (path, init) => binding.fetch(new Request(new URL(path, 'https://origin.invalid'), init)) };
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
