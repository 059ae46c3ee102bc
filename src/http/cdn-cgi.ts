import type { MiddlewareHandler } from 'hono';
import { FITS } from '../core/resize-plan';
import { ServiceError } from './errors';
import { pairName, queryPairs, RENDITION_PARAMS } from './params';

/*
 * Cloudflare Images-style URLs, `/cdn-cgi/image/<options>/<source path>`, as another spelling of
 * the query form: `/cdn-cgi/image/width=640,format=auto/photos/cat.jpg?v=2` is
 * `/photos/cat.jpg?v=2&width=640&format=auto`. The options are only translated here (names and
 * syntax); their values are validated by `parseUpscaleParams`, the query form's one validator,
 * so both spellings answer alike and map to the same rendition, cache entry and signature.
 * The mapping, and what is not offered, is in docs/cloudflare-urls.md.
 */

/** Where Cloudflare Images-style URLs start (the default `prefix`). */
export const CDN_CGI_IMAGE_PREFIX = '/cdn-cgi/image/';

/** A Cloudflare-style path taken apart: the origin path it names and the options as our query parameters. */
export interface CdnCgiPath {
  /** The source path as written in the request path (still percent-encoded), starting with `/`. */
  readonly sourcePath: string;
  /** The options under our parameter names (aliases resolved, values decoded, nothing validated yet). */
  readonly params: URLSearchParams;
}

/** Options of {@link cdnCgiImage}. */
export interface CdnCgiImageOptions {
  /**
   * The path prefix of the URLs, with a leading and a trailing slash; default `/cdn-cgi/image/`.
   * On a zone proxied by Cloudflare, `/cdn-cgi/` is answered by Cloudflare itself and never
   * reaches a Worker, so a Worker there needs a prefix of its own (e.g. `/img/`).
   */
  readonly prefix?: string;
}

/** Our parameter for each option name we accept: Cloudflare's names and short forms, and `upscale`. */
const OPTION_PARAMS: Readonly<Record<string, (typeof RENDITION_PARAMS)[number]>> = {
  width: 'width',
  w: 'width',
  height: 'height',
  h: 'height',
  fit: 'fit',
  dpr: 'dpr',
  format: 'format',
  f: 'format',
  quality: 'quality',
  q: 'quality',
  upscale: 'upscale',
};

/** Cloudflare Images options this service does not offer (short forms mapped to their names), for messages that say so. */
const CLOUDFLARE_ONLY: Readonly<Record<string, string>> = Object.fromEntries([
  ...[
    'anim',
    'background',
    'blur',
    'border',
    'brightness',
    'compression',
    'contrast',
    'draw',
    'flip',
    'gamma',
    'gravity',
    'metadata',
    'onerror',
    'rotate',
    'saturation',
    'segment',
    'sharpen',
    'slow-connection-quality',
    'trim',
    'zoom',
  ].map((name) => [name, name]),
  ['g', 'gravity'],
  ['scq', 'slow-connection-quality'],
]);

/** Cloudflare's `fit` values without an equivalent here (ours map by name). */
const CLOUDFLARE_ONLY_FITS = ['crop', 'pad', 'squeeze'];

const ACCEPTED = 'width (w), height (h), fit, dpr, format (f), quality (q) and upscale';

/**
 * Takes a Cloudflare Images-style path apart: `undefined` when `pathname` does not start with
 * `prefix`, else the source path and the options under our parameter names, in the order given
 * (an alias and its full name both given are both kept, so the validator reports the repetition).
 * Throws a 400 {@link ServiceError} for what cannot be spelled in the query form: options that
 * are not `name=value`, unknown or unsupported options (Cloudflare's `gravity`, `blur`, …,
 * `fit=crop`/`pad`), an empty option list, an empty source path, a source URL
 * (`…/https://host/…`) or a source that is itself such a path.
 *
 * `pathname` is a URL's `pathname`: dot segments already resolved by the URL parser. The source
 * path is returned as written (percent-encoded); the origin path rules (`originPath`) apply to it
 * downstream, as to any request path.
 *
 * @example
 * parseCdnCgiPath('/cdn-cgi/image/w=640,format=auto/photos/cat.jpg');
 * // { sourcePath: '/photos/cat.jpg', params: URLSearchParams { width: '640', format: 'auto' } }
 * parseCdnCgiPath('/photos/cat.jpg'); // undefined
 * parseCdnCgiPath('/cdn-cgi/image/gravity=face/cat.jpg'); // throws 400: gravity is not supported
 */
export function parseCdnCgiPath(pathname: string, prefix: string = CDN_CGI_IMAGE_PREFIX): CdnCgiPath | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  const rest = pathname.slice(prefix.length);
  const slash = rest.indexOf('/');
  const options = slash === -1 ? rest : rest.slice(0, slash);
  const sourcePath = slash === -1 ? '' : rest.slice(slash);
  if (options === '') throw invalidParameter(`give at least one option after ${prefix} (name=value, comma-separated)`);
  const params = new URLSearchParams();
  for (const option of options.split(',')) {
    const [name, value] = translate(option);
    params.append(name, value);
  }
  if (sourcePath.replaceAll('/', '') === '') throw invalidPath(`the source path after ${prefix}<options> is empty`);
  if (/^\/+https?:/i.test(sourcePath)) throw invalidPath('source URLs (http:, https:) are not supported; give a path on the origin');
  if (sourcePath.replace(/\/{2,}/g, '/').startsWith(prefix)) throw invalidPath(`the source path cannot itself start with ${prefix}`);
  return { sourcePath, params };
}

/**
 * The query-form URL a Cloudflare Images-style URL stands for: the source path, then the URL's
 * own query pairs as written (the origin's, and the signature `s`), then the options under our
 * names. `undefined` when the path does not start with `prefix`. Our parameters in the query of
 * such a URL are a 400: each request uses one spelling.
 *
 * @example
 * canonicalUrl(new URL('https://edge.dev/cdn-cgi/image/w=10,f=webp/a.png?v=2'));
 * // URL 'https://edge.dev/a.png?v=2&width=10&format=webp'
 */
export function canonicalUrl(url: URL, prefix: string = CDN_CGI_IMAGE_PREFIX): URL | undefined {
  const parsed = parseCdnCgiPath(url.pathname, prefix);
  if (parsed === undefined) return undefined;
  const pairs = queryPairs(url.search);
  const inQuery = [...new Set(pairs.map(pairName).filter((name) => (RENDITION_PARAMS as readonly string[]).includes(name)))];
  if (inQuery.length > 0)
    throw invalidParameter(`${inQuery.join(', ')} ${inQuery.length === 1 ? 'is' : 'are'} given in the query of a ${prefix} URL; give options in the path only`);
  // Appended as text to the origin, never resolved: the source path keeps its exact spelling.
  return new URL(`${url.origin}${parsed.sourcePath}?${[...pairs, parsed.params.toString()].join('&')}`);
}

/**
 * Hono middleware that accepts Cloudflare Images-style URLs (`/cdn-cgi/image/<options>/<source
 * path>`) by rewriting the request to the query form ({@link canonicalUrl}) for the handlers
 * after it: mount it before `upscale()`, on a route that the handlers meant to serve these URLs
 * match too (Hono has routed by the original path before the rewrite, so `upscale()` mounted on
 * `/images/*` alone never sees them). Other paths go to `next()` untouched. Errors are thrown as
 * 400 {@link ServiceError}s (before any signature check: they depend only on the URL's spelling).
 *
 * @example
 * app.use('*', cdnCgiImage(), upscale({ origin: 'https://images.example.com' }));
 * // GET /cdn-cgi/image/width=640,format=auto/cats/tom.jpg  =  GET /cats/tom.jpg?width=640&format=auto
 */
export function cdnCgiImage(options: CdnCgiImageOptions = {}): MiddlewareHandler {
  const prefix = options.prefix ?? CDN_CGI_IMAGE_PREFIX;
  if (!/^\/[^/?#]+(\/[^/?#]+)*\/$/.test(prefix))
    throw new TypeError(`cdnCgiImage(): prefix ${JSON.stringify(prefix)} must be a path with a leading and a trailing slash, like /cdn-cgi/image/`);
  return async function cdnCgiImage(c, next) {
    const rewritten = canonicalUrl(new URL(c.req.url), prefix);
    if (rewritten === undefined) return next();
    // Hono reads the URL, headers and body from `c.req.raw` on every access, and lets middleware
    // replace it (its own body-limit middleware does): the handlers after this one see the query form.
    c.req.raw = new Request(rewritten, c.req.raw);
    c.req.path = rewritten.pathname;
    return next();
  };
}

/** One `name=value` option as our parameter name and its decoded value; throws for anything else. */
function translate(option: string): [string, string] {
  if (option === '') throw invalidParameter('options are comma-separated name=value pairs; an empty option was given');
  const equals = option.indexOf('=');
  if (equals <= 0) throw invalidParameter(`options are name=value pairs; "${shown(option)}" is not`);
  const name = decode(option.slice(0, equals), option);
  const value = decode(option.slice(equals + 1), option);
  const param = OPTION_PARAMS[name];
  if (param !== undefined) {
    if (param === 'fit' && CLOUDFLARE_ONLY_FITS.includes(value)) throw invalidParameter(`fit=${value} is not supported; fit must be one of ${FITS.join(', ')}`);
    return [param, value];
  }
  const cloudflare = CLOUDFLARE_ONLY[name] ?? (name.startsWith('trim.') ? 'trim' : undefined);
  if (cloudflare !== undefined) {
    const spelled = cloudflare === name ? name : `${shown(name)} (${cloudflare})`;
    throw invalidParameter(`${spelled} is not supported: this service does not offer Cloudflare Images' ${cloudflare} option`);
  }
  if (name === 's') throw invalidParameter('s is not an option: the signature goes in the query string (?s=)');
  throw invalidParameter(`${shown(name)} is not a supported option; the options are ${ACCEPTED}`);
}

function decode(text: string, option: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidParameter(`option "${shown(option)}" has a malformed percent-encoding`);
  }
}

/** Client text quoted in a message, cut to a readable length. */
function shown(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 63)}…`;
}

function invalidParameter(message: string): ServiceError {
  return new ServiceError(400, 'invalid_parameter', message);
}

function invalidPath(message: string): ServiceError {
  return new ServiceError(400, 'invalid_path', message);
}
