import type { Context, MiddlewareHandler } from 'hono';
import type { ImageCodecs } from './codec/codecs';
import type { ModelCatalog } from './core/model-catalog';
import type { TileSizes } from './core/tiling';
import { urlPrefixOrigin, type Origin } from './http/origin';
import type { Limits } from './http/pipeline';
import { serveRenditions } from './http/renditions';
import { ConfigError, resolveOptions } from './options';
import { defaultCache } from './platform/default-cache';
import { shippedCodecs, shippedModels } from './platform/shipped';

/*
 * The package entry (`import { upscale } from 'wdsr-edge'`): the upscale middleware with the
 * shipped models, codecs and Workers cache as defaults, and the pieces an app composes it with.
 * Bundlers must load `.onnx` files as binary data (wrangler: a `Data` rule, see the README).
 */

export { cdnCgiImage, type CdnCgiImageOptions } from './http/cdn-cgi';
export { handleError } from './http/handle-error';
export { ServiceError, type ErrorCode } from './http/errors';
export { bindingOrigin, urlPrefixOrigin, type Origin } from './http/origin';
export { passthrough } from './http/passthrough';
export { r2Origin } from './http/r2-origin';
export { signUrl, type SignUrlOptions } from './http/signature';
export type { Limits } from './http/pipeline';
export type { Fit } from './core/resize-plan';

/** Options of {@link upscale}; everything but the origin has a default. */
export interface UpscaleMiddlewareOptions {
  /** A URL prefix (`https://images.example.com/v1`), an {@link Origin}, or one chosen per request (e.g. from `c.env`). */
  readonly origin: string | Origin | ((c: Context) => Origin);
  /** Default: the shipped models (`model/manifest.json`) in onnxruntime-web. */
  readonly models?: ModelCatalog;
  /** Default: PNG and JPEG in JavaScript, WebP in the bundled libwebp. */
  readonly codecs?: ImageCodecs;
  /** Default: `caches.default`; `false` disables caching. */
  readonly cache?: Cache | false;
  /** `Cache-Control` of renditions; default `public, max-age=86400`. */
  readonly cacheControl?: string;
  /** Any of the size limits; the rest keep their defaults (sized for a 128 MB isolate, see the README). */
  readonly limits?: Partial<Limits>;
  /** Require URLs signed with one of `keys` (`signUrl`); default: no signatures. */
  readonly signing?: { readonly keys: readonly string[] };
  /** Processing budget per request in ms; default 60000. */
  readonly deadlineMs?: number;
  /** Origin download budget in ms; default 10000. */
  readonly originTimeoutMs?: number;
  /** Inference tile edge in source pixels: one for every scale, or by scale (`{ 2: 128, 3: 96 }`); default 128, and 96 for x3 and x4. */
  readonly tileSize?: number | Partial<TileSizes>;
  /** Quality of lossy outputs without `quality`; default 85. */
  readonly defaultQuality?: number;
}

/**
 * Hono middleware that serves super-resolved and resized renditions of origin images for requests
 * with `upscale` or `width`/`height` (see the README for every parameter) and passes other
 * requests to `next()`. Errors are `ServiceError`s; install {@link handleError} as `onError` for
 * their JSON bodies (Hono's default handler renders them too).
 *
 * @example
 * const app = new Hono();
 * app.use('/images/*', upscale({ origin: 'https://images.example.com', limits: { outputPixels: 1 << 20 } }));
 * app.onError(handleError);
 * // GET /images/cat.jpg?width=640&format=auto
 */
export function upscale(options: UpscaleMiddlewareOptions): MiddlewareHandler {
  if (options.signing !== undefined && options.signing.keys.length === 0) throw new ConfigError('upscale(): signing needs at least one key');
  const { signing, origin, models, codecs, cache, ...tunables } = options;
  const resolved = resolveOptions({ ...tunables, signingKeys: signing?.keys }, (option) => `upscale(): ${option === 'signingKeys' ? 'signing.keys' : option}`);
  return serveRenditions({
    ...resolved,
    origin: originChooser(origin),
    models: models ?? shippedModels,
    codecs: codecs ?? shippedCodecs,
    cache: cache === false ? undefined : (cache ?? defaultCache()),
  });
}

function originChooser(origin: UpscaleMiddlewareOptions['origin']): (c: Context) => Origin {
  if (typeof origin === 'function') return origin;
  const fixed = typeof origin === 'string' ? urlPrefixOrigin(origin) : origin;
  return () => fixed;
}
