import { parseOriginPrefix } from './http/origin';
import type { Limits } from './http/pipeline';
import { ConfigError, DEFAULT_OPTIONS, INTEGER_BOUNDS, resolveOptions, type IntegerOption, type ServiceOptions } from './options';

export { ConfigError } from './options';

/**
 * Where source images come from (`ORIGIN`): the Worker's static assets (empty), a URL prefix
 * (`https://…`), or an R2 bucket bound as `ORIGIN_BUCKET` (`r2:` plus an optional key prefix).
 */
export type OriginSetting =
  | { readonly kind: 'assets' }
  | { readonly kind: 'url'; readonly prefix: string }
  | { readonly kind: 'r2'; readonly keyPrefix: string };

/** The Worker's settings, read from its environment variables once per isolate. */
export interface ServiceConfig extends ServiceOptions {
  readonly origin: OriginSetting;
  readonly cacheEnabled: boolean;
}

/** The environment variable of each integer option. */
const INTEGER_VARIABLES = {
  'limits.sourceBytes': 'MAX_SOURCE_BYTES',
  'limits.sourceSide': 'MAX_SOURCE_SIDE',
  'limits.sourcePixels': 'MAX_SOURCE_PIXELS',
  'limits.wholeSourcePixels': 'MAX_WHOLE_SOURCE_PIXELS',
  'limits.avifSourcePixels': 'MAX_AVIF_SOURCE_PIXELS',
  'limits.progressiveJpegSourcePixels': 'MAX_PROGRESSIVE_JPEG_SOURCE_PIXELS',
  'limits.outputPixels': 'MAX_OUTPUT_PIXELS',
  'limits.webpOutputPixels': 'MAX_WEBP_OUTPUT_PIXELS',
  'limits.webpAlphaOutputPixels': 'MAX_WEBP_ALPHA_OUTPUT_PIXELS',
  'limits.avifOutputPixels': 'MAX_AVIF_OUTPUT_PIXELS',
  originTimeoutMs: 'ORIGIN_TIMEOUT_MS',
  deadlineMs: 'DEADLINE_MS',
  tileSize: 'TILE_SIZE',
  defaultQuality: 'DEFAULT_QUALITY',
} as const satisfies Readonly<Record<IntegerOption, string>>;

/** Environment variable names, as set in wrangler.toml `[vars]` or with `wrangler dev --var NAME:value`. */
export type ConfigVariable = 'ORIGIN' | 'CACHE' | 'CACHE_CONTROL' | 'SIGNING_KEYS' | (typeof INTEGER_VARIABLES)[IntegerOption];

/** What the Worker runs with when no variable is set: static assets as the origin, caching on, {@link DEFAULT_OPTIONS}. */
export const DEFAULT_CONFIG: ServiceConfig = { origin: { kind: 'assets' }, cacheEnabled: true, ...DEFAULT_OPTIONS };

/**
 * Maps the environment onto a {@link ServiceConfig}: each variable to its option, checked by
 * {@link resolveOptions} like the middleware's. Unset or empty variables take their defaults; set
 * ones must be well-formed (a typo fails loudly instead of running with a default).
 *
 * @example
 * readConfig({ ORIGIN: 'http://127.0.0.1:9000', TILE_SIZE: '96' }).tileSize; // { default: 96 }
 * readConfig({ TILE_SIZE: '128,3:96,4:80' }).tileSize; // { default: 128, 3: 96, 4: 80 }
 */
export function readConfig(env: Partial<Record<ConfigVariable, unknown>>): ServiceConfig {
  const value = (name: ConfigVariable): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') throw new ConfigError(`${name} must be a string`);
    return raw;
  };
  const integer = (option: IntegerOption): number | undefined => {
    const variable = INTEGER_VARIABLES[option];
    const raw = value(variable);
    if (raw === undefined) return undefined;
    // Digits only: Number() would also take "1e3", " 7" or "0x10".
    if (!/^\d+$/.test(raw))
      throw new ConfigError(`${variable} must be an integer from ${INTEGER_BOUNDS[option].min} to ${INTEGER_BOUNDS[option].max}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const origin = value('ORIGIN');
  const cache = value('CACHE') ?? 'on';
  if (cache !== 'on' && cache !== 'off') throw new ConfigError(`CACHE must be "on" or "off", got ${JSON.stringify(cache)}`);
  const limitNames = Object.keys(DEFAULT_OPTIONS.limits) as (keyof Limits)[];
  const options = resolveOptions(
    {
      limits: Object.fromEntries(limitNames.flatMap((name) => definedEntry(name, integer(`limits.${name}`)))),
      cacheControl: value('CACHE_CONTROL'),
      originTimeoutMs: integer('originTimeoutMs'),
      deadlineMs: integer('deadlineMs'),
      tileSize: tileSizes(value('TILE_SIZE')),
      defaultQuality: integer('defaultQuality'),
      signingKeys: value('SIGNING_KEYS')
        ?.split(',')
        .map((key) => key.trim()),
    },
    (option) => (option === 'signingKeys' ? 'SIGNING_KEYS' : INTEGER_VARIABLES[option]),
  );
  return { origin: origin === undefined ? DEFAULT_CONFIG.origin : originSetting(origin), cacheEnabled: cache === 'on', ...options };
}

/**
 * `TILE_SIZE`: one edge for every scale (`128`), or a default edge and edges by scale
 * (`128,3:96,4:80`); each edge is checked by {@link resolveOptions}.
 */
function tileSizes(raw: string | undefined): number | Record<string, number> | undefined {
  if (raw === undefined) return undefined;
  const { min, max } = INTEGER_BOUNDS.tileSize;
  const sizes: Record<string, number> = {};
  for (const part of raw.split(',').map((entry) => entry.trim())) {
    const match = /^(?:([1-9]\d*):)?(\d+)$/.exec(part);
    if (match === null) throw new ConfigError(`TILE_SIZE must be an edge from ${min} to ${max} or a list like "128,3:96,4:80", got ${JSON.stringify(raw)}`);
    sizes[match[1] ?? 'default'] = Number(match[2]);
  }
  return /^\d+$/.test(raw) ? sizes.default : sizes;
}

function definedEntry<T>(name: string, value: T | undefined): [string, T][] {
  return value === undefined ? [] : [[name, value]];
}

const R2_SCHEME = 'r2:';

function originSetting(origin: string): OriginSetting {
  if (origin.startsWith(R2_SCHEME)) {
    const keyPrefix = origin.slice(R2_SCHEME.length);
    if (keyPrefix.startsWith('/')) throw new ConfigError(`ORIGIN: an R2 key prefix does not start with "/", got ${JSON.stringify(keyPrefix)}`);
    return { kind: 'r2', keyPrefix };
  }
  try {
    return { kind: 'url', prefix: parseOriginPrefix(origin) };
  } catch (error) {
    throw new ConfigError(`ORIGIN: ${(error as Error).message}`);
  }
}
