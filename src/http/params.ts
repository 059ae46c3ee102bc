import { IMAGE_FORMATS, type ImageFormat } from '../codec/format';
import { ServiceError } from './errors';

/** `format=`: a fixed output format, or `auto` (negotiated from `Accept`). */
export type FormatParam = ImageFormat | 'auto';

/** The parsed upscale parameters of a request. */
export interface UpscaleParams {
  readonly scale: number;
  /** `undefined`: the source's own format. */
  readonly format: FormatParam | undefined;
  /** `undefined`: the configured default quality (lossy outputs only). */
  readonly quality: number | undefined;
}

/** The query parameters this service owns; a request carrying none of them is passed through. */
export const PARAM_NAMES = ['upscale', 'format', 'quality'] as const;

const FORMAT_VALUES: readonly FormatParam[] = [...IMAGE_FORMATS, 'auto'];

/**
 * Parses our parameters strictly: each at most once, exact spellings, no silent defaults for
 * bad values (a paid compute endpoint answers 400 with the allowed values instead). Returns
 * `undefined` when the request carries none of them.
 *
 * @example
 * parseUpscaleParams(new URLSearchParams('upscale=2&format=webp'), [2, 4]);
 * // { scale: 2, format: 'webp', quality: undefined }
 * parseUpscaleParams(new URLSearchParams('upscale=3'), [2, 4]); // throws 400: upscale must be one of 2, 4
 */
export function parseUpscaleParams(query: URLSearchParams, scales: readonly number[]): UpscaleParams | undefined {
  if (!PARAM_NAMES.some((name) => query.has(name))) return undefined;
  const upscale = single(query, 'upscale');
  const format = single(query, 'format');
  const quality = single(query, 'quality');
  if (upscale === undefined) throw invalid(`upscale is required with format or quality; allowed: ${scales.join(', ')}`);
  const scale = Number(upscale);
  if (!/^[1-9][0-9]*$/.test(upscale) || !scales.includes(scale)) throw invalid(`upscale must be one of ${scales.join(', ')}`);
  if (format !== undefined && !(FORMAT_VALUES as readonly string[]).includes(format)) throw invalid(`format must be one of ${FORMAT_VALUES.join(', ')}`);
  if (quality !== undefined && (!/^[1-9][0-9]{0,2}$/.test(quality) || Number(quality) > 100)) throw invalid('quality must be an integer from 1 to 100');
  if (quality !== undefined && format === 'png') throw invalid('quality applies to lossy output only (jpeg, webp)');
  return { scale, format: format as FormatParam | undefined, quality: quality === undefined ? undefined : Number(quality) };
}

/**
 * The raw query string without our parameters, other pairs byte for byte in their original order:
 * what the origin is asked for (re-serialising would change its encoding, and so its cache key).
 *
 * @example
 * originQuery('?v=3&name=a%20b&upscale=2'); // '?v=3&name=a%20b'
 */
export function originQuery(search: string): string {
  const kept = search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '' && !(PARAM_NAMES as readonly string[]).includes(decodeName(pair)));
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

function decodeName(pair: string): string {
  const name = pair.split('=', 1)[0]!.replaceAll('+', ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // malformed escapes cannot spell one of our names
  }
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(`${name} is given ${values.length} times; give it once`);
  return values[0];
}

function invalid(message: string): ServiceError {
  return new ServiceError(400, 'invalid_parameter', message);
}
