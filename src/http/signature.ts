import { CDN_CGI_IMAGE_PREFIX, canonicalUrl } from './cdn-cgi';
import { originQuery, pairName, queryPairs, RENDITION_PARAMS } from './params';

/** The query parameter that carries a URL's signature. */
export const SIGNATURE_PARAM = 's';

/**
 * The bytes a URL's signature covers: the path (as the URL parser normalises it, which is also
 * what the origin is asked for), the origin's query pairs byte for byte in their order, then our
 * parameters in a fixed order (`upscale`, `width`, `height`, `fit`, `dpr`, `format`, `quality`),
 * `s` excluded. Reordering our parameters keeps a signature valid; changing, adding or removing
 * any parameter, or the path, breaks it. The host is not covered, so one signed path works on
 * every hostname the service answers. A Cloudflare Images-style URL is verified in the query form
 * that `cdnCgiImage()` rewrites it to, so its message is that form's.
 *
 * @example
 * signedMessage(new URL('https://edge.dev/a.png?v=1&width=300&upscale=2&s=x')); // '/a.png?v=1&upscale=2&width=300'
 */
export function signedMessage(url: URL): string {
  const query = originQuery(url.search).replace(/^\?/, '');
  const ours = RENDITION_PARAMS.flatMap((name) => url.searchParams.getAll(name).map((value) => `${name}=${encodeURIComponent(value)}`));
  const pairs = [...(query === '' ? [] : [query]), ...ours];
  return pairs.length === 0 ? url.pathname : `${url.pathname}?${pairs.join('&')}`;
}

/** Options of {@link signUrl}. */
export interface SignUrlOptions {
  /**
   * The prefix of Cloudflare Images-style URLs, as given to `cdnCgiImage()`; default
   * `/cdn-cgi/image/`. `false`: sign every path as a query-form URL.
   */
  readonly cdnCgiPrefix?: string | false;
}

/**
 * Signs `url` with `key`: HMAC-SHA256 of {@link signedMessage}, base64url without padding, added
 * as `s=`. Use it wherever URLs for a signing deployment are made (a server, a build step).
 *
 * A Cloudflare Images-style URL (`/cdn-cgi/image/<options>/<path>`, see `cdnCgiImage`) is signed
 * as the query-form URL it stands for ({@link canonicalUrl}) and keeps its spelling, `s` added to
 * its query: both spellings of one rendition carry the same signature, whichever option names,
 * short forms or order they use. Options that cannot be served throw its 400 `ServiceError`.
 *
 * @example
 * await signUrl('https://edge.example.com/cat.jpg?width=640', secret);
 * // 'https://edge.example.com/cat.jpg?width=640&s=2Qv…'
 * await signUrl('https://edge.example.com/cdn-cgi/image/w=640/cat.jpg', secret);
 * // 'https://edge.example.com/cdn-cgi/image/w=640/cat.jpg?s=2Qv…' (the same s)
 */
export async function signUrl(url: string | URL, key: string, options: SignUrlOptions = {}): Promise<string> {
  const parsed = new URL(url);
  // Pairs are kept as written: re-serialising the query would change the bytes the origin sees.
  const kept = queryPairs(parsed.search).filter((pair) => pairName(pair) !== SIGNATURE_PARAM);
  const unsigned = `${parsed.origin}${parsed.pathname}${kept.length === 0 ? '' : `?${kept.join('&')}`}`;
  const prefix = options.cdnCgiPrefix ?? CDN_CGI_IMAGE_PREFIX;
  const signed = (prefix === false ? undefined : canonicalUrl(new URL(unsigned), prefix)) ?? new URL(unsigned);
  const signature = await hmac(await importKey(key), signedMessage(signed));
  return `${unsigned}${kept.length === 0 ? '?' : '&'}${SIGNATURE_PARAM}=${base64url(signature)}`;
}

/**
 * A verifier for URLs signed with any of `keys` (several, so keys can be rotated: sign with the
 * new one while the old one is still accepted). Keys are imported once. The comparison takes the
 * same time wherever the first differing byte is, and every key is tried, so timing reveals
 * neither how much of a forged signature was right nor which key matched.
 *
 * @example
 * const verify = signatureVerifier([newKey, oldKey]);
 * if (!(await verify(new URL(request.url)))) throw forbidden;
 */
export function signatureVerifier(keys: readonly string[]): (url: URL) => Promise<boolean> {
  if (keys.length === 0) throw new RangeError('signing needs at least one key');
  const imported = Promise.all(keys.map(importKey));
  return async function verify(url) {
    const given = url.searchParams.getAll(SIGNATURE_PARAM);
    if (given.length !== 1) return false;
    const signature = fromBase64url(given[0]!);
    if (signature === undefined) return false;
    const message = signedMessage(url);
    let matched = false;
    for (const key of await imported) matched = constantTimeEqual(await hmac(key, message), signature) || matched;
    return matched;
  };
}

/**
 * Byte equality whose running time depends only on the lengths.
 *
 * @example
 * constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])); // false
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function importKey(key: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function hmac(key: CryptoKey, message: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** Strict base64url (no padding, no other characters); `undefined` for anything else. */
function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
