import { IMAGE_FORMATS } from '../codec/format';
import type { FormatPreferences } from './accept';
import { originQuery, type UpscaleParams } from './params';

/**
 * The Cache API key of an upscaled response: the request URL with the origin's own query pairs in
 * their original order, then ours in a fixed order with defaults spelled out (`format=source`,
 * `quality=default`), then, for `format=auto`, the client's per-format preference read from
 * `Accept` (the negotiated format depends on nothing else), and last the model's SHA-256, so a new
 * model never serves an old model's pixels. Equivalent requests (`quality=80&upscale=2` and
 * `upscale=2&quality=80`) share one entry.
 *
 * @example
 * upscaleCacheKey(new URL('https://x.dev/a.png?quality=80&upscale=2'), params, undefined, sha);
 * // 'https://x.dev/a.png?upscale=2&format=source&quality=80&model=<sha>'
 */
export function upscaleCacheKey(url: URL, params: UpscaleParams, preferences: FormatPreferences | undefined, modelSha256: string): string {
  const ours = [`upscale=${params.scale}`, `format=${params.format ?? 'source'}`, `quality=${params.quality ?? 'default'}`];
  if (preferences) ours.push(`accept=${IMAGE_FORMATS.map((format) => `${format}:${preferences[format]}`).join(',')}`);
  ours.push(`model=${modelSha256}`);
  const rest = originQuery(url.search);
  return `${url.origin}${url.pathname}${rest === '' ? '?' : `${rest}&`}${ours.join('&')}`;
}
