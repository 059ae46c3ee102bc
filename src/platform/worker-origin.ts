import type { OriginSetting } from '../config';
import { ConfigError } from '../config';
import { bindingOrigin, urlPrefixOrigin, type Origin } from '../http/origin';
import { r2Origin } from '../http/r2-origin';

/**
 * Bindings the shipped Worker may be given beyond those in wrangler.toml, which `wrangler types`
 * therefore cannot list: an R2 bucket added for `ORIGIN=r2:` (and the `SIGNING_KEYS` secret, read
 * with the other variables by `readConfig`).
 */
export interface OptionalBindings {
  readonly ORIGIN_BUCKET?: R2Bucket;
}

/**
 * The origin `ORIGIN` names, over this environment's bindings; a bucket origin without its
 * binding is a configuration error.
 *
 * @example
 * workerOrigin(readConfig(env).origin, env); // e.g. r2Origin(env.ORIGIN_BUCKET, 'images/')
 */
export function workerOrigin(setting: OriginSetting, env: { readonly ASSETS: Fetcher } & OptionalBindings): Origin {
  switch (setting.kind) {
    case 'assets':
      return bindingOrigin(env.ASSETS);
    case 'url':
      return urlPrefixOrigin(setting.prefix);
    case 'r2':
      if (env.ORIGIN_BUCKET === undefined) throw new ConfigError('ORIGIN=r2:… needs an R2 bucket bound as ORIGIN_BUCKET ([[r2_buckets]] in wrangler.toml)');
      return r2Origin(env.ORIGIN_BUCKET, setting.keyPrefix);
  }
}
