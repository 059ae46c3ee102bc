import type { CostModel, Limits } from './http/pipeline';
import { parseOriginPrefix } from './http/origin';

/**
 * Where source images come from (`ORIGIN`): the Worker's static assets (empty), a URL prefix
 * (`https://…`), or an R2 bucket bound as `ORIGIN_BUCKET` (`r2:` plus an optional key prefix).
 */
export type OriginSetting = { readonly kind: 'assets' } | { readonly kind: 'url'; readonly prefix: string } | { readonly kind: 'r2'; readonly keyPrefix: string };

/** The Worker's settings, read from its environment variables once per isolate. */
export interface ServiceConfig {
  readonly origin: OriginSetting;
  readonly cacheEnabled: boolean;
  readonly cacheControl: string;
  readonly limits: Limits;
  readonly cost: CostModel;
  readonly originTimeoutMs: number;
  readonly deadlineMs: number;
  readonly tileSize: number;
  readonly defaultQuality: number;
  /** Keys accepted for signed URLs; empty: signatures are not required. */
  readonly signingKeys: readonly string[];
}

/** The integer settings, by their option name: `limits.*` and the top-level ones. */
type IntegerSetting = `limits.${keyof Limits}` | 'originTimeoutMs' | 'deadlineMs' | 'tileSize' | 'defaultQuality';

/**
 * Every integer setting: its environment variable and the bounds both the Worker's variables
 * and the middleware's options are validated against, in one place.
 */
export const INTEGER_SETTINGS = {
  'limits.sourceBytes': { variable: 'MAX_SOURCE_BYTES', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.sourceSide': { variable: 'MAX_SOURCE_SIDE', min: 1, max: 65_535 },
  'limits.sourcePixels': { variable: 'MAX_SOURCE_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.wholeSourcePixels': { variable: 'MAX_WHOLE_SOURCE_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.avifSourcePixels': { variable: 'MAX_AVIF_SOURCE_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.outputPixels': { variable: 'MAX_OUTPUT_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.webpOutputPixels': { variable: 'MAX_WEBP_OUTPUT_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  'limits.avifOutputPixels': { variable: 'MAX_AVIF_OUTPUT_PIXELS', min: 1, max: Number.MAX_SAFE_INTEGER },
  originTimeoutMs: { variable: 'ORIGIN_TIMEOUT_MS', min: 1, max: Number.MAX_SAFE_INTEGER },
  deadlineMs: { variable: 'DEADLINE_MS', min: 1, max: Number.MAX_SAFE_INTEGER },
  tileSize: { variable: 'TILE_SIZE', min: 16, max: 1024 },
  defaultQuality: { variable: 'DEFAULT_QUALITY', min: 1, max: 100 },
} as const satisfies Readonly<Record<IntegerSetting, { readonly variable: string; readonly min: number; readonly max: number }>>;

/** Environment variable names, as set in wrangler.toml `[vars]` or with `wrangler dev --var NAME:value`. */
export type ConfigVariable = 'ORIGIN' | 'CACHE' | 'CACHE_CONTROL' | 'SIGNING_KEYS' | (typeof INTEGER_SETTINGS)[IntegerSetting]['variable'];

/**
 * Defaults sized for the 128 MB isolate and the measured cost of the largest request (README,
 * "Limits"; docs/benchmarks.md, "Streaming"): outputs stream in bands, so their limit is set by
 * time, not memory; sources an upscale reads whole, and formats that decode whole, have their
 * own, lower limit; WebP output, encoded whole by libwebp, keeps the whole-image limit it had.
 * AVIF, decoded and encoded whole by libavif, has lower limits still, in and out, set by its
 * decoder's and encoder's heaps as measured in workerd (docs/avif.md): 28 and 40 MiB at 1 MiP.
 */
export const DEFAULT_CONFIG: ServiceConfig = {
  origin: { kind: 'assets' },
  cacheEnabled: true,
  cacheControl: 'public, max-age=86400',
  limits: {
    sourceBytes: 32 * 1024 * 1024,
    sourceSide: 12_000,
    sourcePixels: 24 * 1024 * 1024,
    wholeSourcePixels: 4 * 1024 * 1024,
    avifSourcePixels: 1024 * 1024,
    outputPixels: 16 * 1024 * 1024,
    webpOutputPixels: 1536 * 1024,
    avifOutputPixels: 1024 * 1024,
  },
  cost: { inferSecondsPerMegapixel: { 2: 1.35, 3: 1.65, 4: 0.75 }, streamSecondsPerMegapixel: 0.5, avifEncodeSecondsPerMegapixel: 1.2 },
  originTimeoutMs: 10_000,
  deadlineMs: 60_000,
  tileSize: 128,
  defaultQuality: 85,
  signingKeys: [],
};

/** Shortest signing key accepted: 16 characters; 32 random bytes, hex-encoded, are recommended. */
export const MIN_SIGNING_KEY_LENGTH = 16;

/** A variable or option with a value the service cannot use; names it and the rule. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Checks an integer setting against {@link INTEGER_SETTINGS}, naming it as the caller spells it.
 *
 * @example
 * checkInteger('tileSize', 'upscale(): tileSize', 8); // throws ConfigError: ... from 16 to 1024
 */
export function checkInteger(setting: IntegerSetting, label: string, value: number): number {
  const bounds = INTEGER_SETTINGS[setting] as { readonly min: number; readonly max: number } | undefined;
  if (bounds === undefined) throw new ConfigError(`${label} is not a setting`);
  const { min, max } = bounds;
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${label} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/**
 * Maps the environment onto a {@link ServiceConfig}; unset or empty variables take their
 * defaults, set ones must be well-formed (a typo fails loudly instead of running with a default).
 *
 * @example
 * readConfig({ ORIGIN: 'http://127.0.0.1:9000', TILE_SIZE: '96' }).tileSize; // 96
 */
export function readConfig(env: Partial<Record<ConfigVariable, unknown>>): ServiceConfig {
  const value = (name: ConfigVariable): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') throw new ConfigError(`${name} must be a string`);
    return raw;
  };
  const integer = (setting: IntegerSetting, fallback: number): number => {
    const { variable, min, max }: { variable: ConfigVariable; min: number; max: number } = INTEGER_SETTINGS[setting];
    const raw = value(variable);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(`${variable} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return checkInteger(setting, variable, Number(raw));
  };
  const origin = value('ORIGIN');
  const cache = value('CACHE') ?? 'on';
  if (cache !== 'on' && cache !== 'off') throw new ConfigError(`CACHE must be "on" or "off", got ${JSON.stringify(cache)}`);
  const defaults = DEFAULT_CONFIG;
  const limits = Object.fromEntries(
    (Object.keys(defaults.limits) as (keyof Limits)[]).map((name) => [name, integer(`limits.${name}`, defaults.limits[name])]),
  ) as unknown as Limits;
  return {
    origin: origin === undefined ? defaults.origin : originSetting(origin),
    cacheEnabled: cache === 'on',
    cacheControl: value('CACHE_CONTROL') ?? defaults.cacheControl,
    limits,
    cost: defaults.cost,
    originTimeoutMs: integer('originTimeoutMs', defaults.originTimeoutMs),
    deadlineMs: integer('deadlineMs', defaults.deadlineMs),
    tileSize: integer('tileSize', defaults.tileSize),
    defaultQuality: integer('defaultQuality', defaults.defaultQuality),
    signingKeys: signingKeys(value('SIGNING_KEYS')),
  };
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

/** `SIGNING_KEYS`: comma-separated; several keys are accepted at once so they can be rotated. */
function signingKeys(list: string | undefined): string[] {
  if (list === undefined) return [];
  const keys = list.split(',').map((key) => key.trim());
  keys.forEach((key, i) => {
    if (key.length < MIN_SIGNING_KEY_LENGTH) throw new ConfigError(`SIGNING_KEYS: key ${i + 1} has ${key.length} characters; at least ${MIN_SIGNING_KEY_LENGTH} are required`);
  });
  return keys;
}
