import type { Limits } from './http/pipeline';
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
  readonly originTimeoutMs: number;
  readonly deadlineMs: number;
  readonly tileSize: number;
  readonly defaultQuality: number;
  /** Keys accepted for signed URLs; empty: signatures are not required. */
  readonly signingKeys: readonly string[];
}

/** Environment variable names, as set in wrangler.toml `[vars]` or with `wrangler dev --var NAME:value`. */
export type ConfigVariable =
  | 'ORIGIN'
  | 'CACHE'
  | 'CACHE_CONTROL'
  | 'MAX_SOURCE_BYTES'
  | 'MAX_SOURCE_PIXELS'
  | 'MAX_OUTPUT_PIXELS'
  | 'ORIGIN_TIMEOUT_MS'
  | 'DEADLINE_MS'
  | 'TILE_SIZE'
  | 'DEFAULT_QUALITY'
  | 'SIGNING_KEYS';

/**
 * Defaults sized for the 128 MB isolate (README, "Limits"): the largest request makes a 1.5-MiP
 * output (e.g. 1254x1254 from 627x627 at x2); PNG to translucent WebP, its worst case, peaked at
 * 64-67 MiB in a fresh isolate and 85.5 MiB in a long-lived one with earlier garbage collected
 * (`npm run bench`, docs/benchmarks.md): onnxruntime's heap 19-28 MiB, the rest JavaScript and
 * libwebp. 128-pixel tiles
 * recompute less overlap than 96-pixel ones (1.25x the pixels of a 512x512 image instead of 1.42x)
 * and, since the exported models run their widest layers in bands, take the heap 96-pixel tiles
 * took before (docs/benchmarks.md).
 */
export const DEFAULT_CONFIG: ServiceConfig = {
  origin: { kind: 'assets' },
  cacheEnabled: true,
  cacheControl: 'public, max-age=86400',
  limits: { sourceBytes: 6 * 1024 * 1024, sourcePixels: 384 * 1024, outputPixels: 1536 * 1024 },
  originTimeoutMs: 10_000,
  deadlineMs: 60_000,
  tileSize: 128,
  defaultQuality: 85,
  signingKeys: [],
};

/** Shortest signing key accepted: 16 characters; 32 random bytes, hex-encoded, are recommended. */
export const MIN_SIGNING_KEY_LENGTH = 16;

/** A variable with a value the service cannot use; names the variable and the rule. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates the environment into a {@link ServiceConfig}; unset or empty variables take their
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
  const integer = (name: ConfigVariable, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || parsed < min || parsed > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return parsed;
  };
  const origin = value('ORIGIN');
  const cache = value('CACHE') ?? 'on';
  if (cache !== 'on' && cache !== 'off') throw new ConfigError(`CACHE must be "on" or "off", got ${JSON.stringify(cache)}`);
  const defaults = DEFAULT_CONFIG;
  return {
    origin: origin === undefined ? defaults.origin : originSetting(origin),
    cacheEnabled: cache === 'on',
    cacheControl: value('CACHE_CONTROL') ?? defaults.cacheControl,
    limits: {
      sourceBytes: integer('MAX_SOURCE_BYTES', defaults.limits.sourceBytes, 1),
      sourcePixels: integer('MAX_SOURCE_PIXELS', defaults.limits.sourcePixels, 1),
      outputPixels: integer('MAX_OUTPUT_PIXELS', defaults.limits.outputPixels, 1),
    },
    originTimeoutMs: integer('ORIGIN_TIMEOUT_MS', defaults.originTimeoutMs, 1),
    deadlineMs: integer('DEADLINE_MS', defaults.deadlineMs, 1),
    tileSize: integer('TILE_SIZE', defaults.tileSize, 16, 1024),
    defaultQuality: integer('DEFAULT_QUALITY', defaults.defaultQuality, 1, 100),
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
