import { IMAGE_FORMATS, OUTPUT_FORMAT_SETS, type ImageFormat } from '../codec/format';
import type { ModelCatalog } from '../core/model-catalog';
import { devicePixels, type ResizeRequest } from '../core/resize-plan';
import { chooseFormat, type FormatPreferences } from './accept';
import { originQuery, type UpscaleParams } from './params';

/**
 * The Cache API key of a rendition (and the key concurrent identical misses coalesce on): the
 * request path with the origin's own query pairs in their original order, then what determines
 * the output, spelled canonically so that equivalent requests share one entry:
 *
 * - the resize: `upscale=N`, or the box in device pixels (`width * dpr`, `auto` when absent)
 *   and the fit, so `width=300&dpr=2` and `width=600` are one entry;
 * - `format` (`source` when absent) and `quality` (`default` when absent); for `format=auto` the
 *   negotiated format for each possible source format, within each set of formats an output may be
 *   allowed ({@link OUTPUT_FORMAT_SETS}: all; the streamed ones and WebP, for an output over AVIF's
 *   limit; the streamed ones and AVIF, over WebP's; the streamed ones, over both), e.g. for a
 *   browser naming AVIF and WebP: `auto:png>avif/webp/avif/png,jpeg>avif/webp/avif/jpeg,...`.
 *   Which of those applies depends on the source's size alone, so two requests sharing a key get
 *   the same format; and that is all `Accept` decides, so browsers with different but equivalent
 *   headers share entries;
 * - the SHA-256 of every model the rendition may run (for `upscale`, that scale's; for a display
 *   size, all of them, since the source's size picks one), so a new model never serves an old
 *   model's pixels.
 *
 * @example
 * renditionCacheKey(new URL('https://x.dev/a.png?quality=80&upscale=2'), params, undefined, models);
 * // 'https://x.dev/a.png?upscale=2&format=source&quality=80&model=<sha>'
 */
export function renditionCacheKey(url: URL, params: UpscaleParams, preferences: FormatPreferences | undefined, models: ModelCatalog): string {
  return `${url.origin}${renditionId(url, params, preferences, models)}`;
}

/**
 * {@link renditionCacheKey} without the scheme and host: what determines a rendition's bytes
 * besides the source itself, whichever host name it was asked under (entity tags derive from it).
 *
 * @example
 * renditionId(new URL('https://x.dev/a.png?upscale=2'), params, undefined, models);
 * // '/a.png?upscale=2&format=source&quality=default&model=<sha>'
 */
export function renditionId(url: URL, params: UpscaleParams, preferences: FormatPreferences | undefined, models: ModelCatalog): string {
  const ours = [resizeKey(params.resize), `format=${formatKey(params, preferences)}`, `quality=${params.quality ?? 'default'}`];
  const scales = params.resize.kind === 'scale' ? [params.resize.scale] : models.scales;
  ours.push(`model=${scales.map((scale) => models.entry(scale)!.sha256).join(',')}`);
  const rest = originQuery(url.search);
  return `${url.pathname}${rest === '' ? '?' : `${rest}&`}${ours.join('&')}`;
}

function resizeKey(resize: ResizeRequest): string {
  if (resize.kind === 'scale') return `upscale=${resize.scale}`;
  const device = (length: number | undefined) => devicePixels(length, resize.dpr) ?? 'auto';
  return `width=${device(resize.width)}&height=${device(resize.height)}&fit=${resize.fit}`;
}

function formatKey(params: UpscaleParams, preferences: FormatPreferences | undefined): string {
  if (params.format === undefined) return 'source';
  if (params.format !== 'auto') return params.format;
  if (preferences === undefined) throw new TypeError('format=auto needs the client preferences in its cache key');
  const choices = (source: ImageFormat) => OUTPUT_FORMAT_SETS.map((allowed) => chooseFormat(preferences, source, allowed)).join('/');
  return `auto:${IMAGE_FORMATS.map((source) => `${source}>${choices(source)}`).join(',')}`;
}
