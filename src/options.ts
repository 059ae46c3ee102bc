import type { TileSizes } from './core/tiling';
import type { CostModel, Limits } from './http/pipeline';

/**
 * The service's tunables, as the middleware takes them (`upscale()`) and the Worker reads them from
 * its variables (`readConfig`): every default and every bound lives here, and
 * {@link resolveOptions} is the one place they are checked.
 */
export interface ServiceOptions {
  readonly limits: Limits;
  readonly cost: CostModel;
  /** `Cache-Control` of renditions (also how long the Cache API keeps them). */
  readonly cacheControl: string;
  /** Origin download budget in ms. */
  readonly originTimeoutMs: number;
  /** Processing budget per request in ms; checked between stages, tiles and bands. */
  readonly deadlineMs: number;
  /** Inference tile edge in source pixels, by model scale. */
  readonly tileSize: TileSizes;
  /** Quality of lossy outputs without `quality`. */
  readonly defaultQuality: number;
  /** Keys accepted for signed URLs; empty: signatures are not required. */
  readonly signingKeys: readonly string[];
}

/**
 * {@link ServiceOptions} as given: anything left out takes its default, limits one by one. A
 * `tileSize` is one edge for every scale, or edges by scale (`{ 2: 128, 3: 96 }`; `default` for
 * the others), the rest taking their defaults.
 */
export type ServiceOptionsInput = Partial<Omit<ServiceOptions, 'limits' | 'tileSize'>> & {
  readonly limits?: Partial<Limits>;
  readonly tileSize?: number | Partial<TileSizes>;
};

/** The integer options, by name: `limits.*` and the top-level ones. */
export type IntegerOption = `limits.${keyof Limits}` | 'originTimeoutMs' | 'deadlineMs' | 'tileSize' | 'defaultQuality';

const ANY_COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER } as const;

/** Every integer option's bounds. */
export const INTEGER_BOUNDS: Readonly<Record<IntegerOption, { readonly min: number; readonly max: number }>> = {
  'limits.sourceBytes': ANY_COUNT,
  'limits.sourceSide': { min: 1, max: 65_535 },
  'limits.sourcePixels': ANY_COUNT,
  'limits.wholeSourcePixels': ANY_COUNT,
  'limits.avifSourcePixels': ANY_COUNT,
  'limits.progressiveJpegSourcePixels': ANY_COUNT,
  'limits.outputPixels': ANY_COUNT,
  'limits.webpOutputPixels': ANY_COUNT,
  'limits.webpAlphaOutputPixels': ANY_COUNT,
  'limits.avifOutputPixels': ANY_COUNT,
  originTimeoutMs: ANY_COUNT,
  deadlineMs: ANY_COUNT,
  tileSize: { min: 16, max: 1024 },
  defaultQuality: { min: 1, max: 100 },
};

/** Shortest signing key accepted: 16 characters; 32 random bytes, hex-encoded, are recommended. */
const MIN_SIGNING_KEY_LENGTH = 16;

/**
 * Defaults sized for the 128 MB isolate and the measured cost of the largest request (README,
 * "Limits"; docs/benchmarks.md, "Streaming"): outputs stream in bands, so their limit is set by
 * time, not memory; sources an upscale reads whole, and formats that decode whole, have their
 * own, lower limit; WebP output, encoded whole by libwebp, keeps the whole-image limit it had for
 * opaque sources and a lower one for sources that may have alpha, set by libwebp's heap
 * (docs/benchmarks.md, "Codec heaps counted").
 * AVIF, decoded and encoded whole by libavif, has lower limits still, in and out, set by its
 * decoder's and encoder's heaps as measured in workerd (docs/avif.md); so has progressive JPEG,
 * whose decoder holds every coefficient.
 */
export const DEFAULT_OPTIONS: ServiceOptions = {
  limits: {
    sourceBytes: 32 * 1024 * 1024,
    sourceSide: 12_000,
    sourcePixels: 24 * 1024 * 1024,
    wholeSourcePixels: 4 * 1024 * 1024,
    avifSourcePixels: 1024 * 1024,
    progressiveJpegSourcePixels: 1536 * 1024,
    outputPixels: 16 * 1024 * 1024,
    webpOutputPixels: 1536 * 1024,
    webpAlphaOutputPixels: 1024 * 1024,
    avifOutputPixels: 1024 * 1024,
  },
  cost: { inferSecondsPerMegapixel: { 2: 1.3, 3: 1.6, 4: 0.85 }, streamSecondsPerMegapixel: 0.55, avifEncodeSecondsPerMegapixel: 1.2 },
  cacheControl: 'public, max-age=86400',
  originTimeoutMs: 10_000,
  deadlineMs: 60_000,
  // The wider x3 and x4 models (24 features against x2's 16) get smaller tiles, the largest whose
  // session fits the 19.3 MiB of onnxruntime memory x2 at 128 takes (one session is open at a time:
  // model-catalog.ts), so that an isolate that has run every scale keeps room for a 24 MP JPEG
  // thumbnail within 40 MB (docs/benchmarks.md, "One model session at a time").
  tileSize: { default: 128, 3: 96, 4: 80 },
  defaultQuality: 85,
  signingKeys: [],
};

/** An option or variable with a value the service cannot use; names it and the rule. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The options with defaults filled in, each checked against its bound, so that a bad value fails
 * at setup rather than per request. `label` spells an option's name as the caller knows it (an
 * environment variable, `upscale(): tileSize`).
 *
 * @example
 * resolveOptions({ tileSize: 8 }, (option) => `upscale(): ${option}`); // throws ConfigError: upscale(): tileSize must be an integer from 16 to 1024, got 8
 */
export function resolveOptions(input: ServiceOptionsInput, label: (option: IntegerOption | 'signingKeys') => string): ServiceOptions {
  const integer = (option: IntegerOption, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const { min, max } = INTEGER_BOUNDS[option];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(`${label(option)} must be an integer from ${min} to ${max}, got ${value}`);
    return value;
  };
  const defaults = DEFAULT_OPTIONS;
  for (const name of Object.keys(input.limits ?? {})) {
    if (!(name in defaults.limits)) throw new ConfigError(`${label(`limits.${name}` as IntegerOption)} is not a limit`);
  }
  const limitNames = Object.keys(defaults.limits) as (keyof Limits)[];
  const limits = Object.fromEntries(
    limitNames.map((name) => [name, integer(`limits.${name}`, input.limits?.[name], defaults.limits[name])]),
  ) as unknown as Limits;
  const signingKeys = input.signingKeys ?? defaults.signingKeys;
  signingKeys.forEach((key, i) => {
    if (key.length < MIN_SIGNING_KEY_LENGTH)
      throw new ConfigError(`${label('signingKeys')}: key ${i + 1} has ${key.length} characters; at least ${MIN_SIGNING_KEY_LENGTH} are required`);
  });
  return {
    limits,
    cost: input.cost ?? defaults.cost,
    cacheControl: input.cacheControl ?? defaults.cacheControl,
    originTimeoutMs: integer('originTimeoutMs', input.originTimeoutMs, defaults.originTimeoutMs),
    deadlineMs: integer('deadlineMs', input.deadlineMs, defaults.deadlineMs),
    tileSize: tileSizes(input.tileSize, defaults.tileSize, (value) => integer('tileSize', value, defaults.tileSize.default)),
    defaultQuality: integer('defaultQuality', input.defaultQuality, defaults.defaultQuality),
    signingKeys,
  };
}

/** A `tileSize` input resolved: one number for every scale, or edges by scale over the defaults; each one checked. */
function tileSizes(input: number | Partial<TileSizes> | undefined, defaults: TileSizes, checked: (value: number) => number): TileSizes {
  if (input === undefined) return defaults;
  if (typeof input === 'number') return { default: checked(input) };
  const entries = Object.entries({ ...defaults, ...input }).map(([key, value]) => {
    if (key !== 'default' && !/^[1-9]\d*$/.test(key))
      throw new ConfigError(`tile sizes are given by scale (2, 3, 4, ...) or as default, not ${JSON.stringify(key)}`);
    return [key, checked(value as number)] as const;
  });
  return Object.fromEntries(entries) as unknown as TileSizes;
}
