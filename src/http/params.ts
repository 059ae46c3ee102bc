import { IMAGE_FORMATS, type ImageFormat } from '../codec/format';
import { FITS, type Fit, type ResizeRequest } from '../core/resize-plan';
import { ServiceError } from './errors';

/** `format=`: a fixed output format, or `auto` (negotiated from `Accept`). */
type FormatParam = ImageFormat | 'auto';

/** The parsed parameters of a request for a rendition. */
export interface UpscaleParams {
  /** `upscale=N`, or a display size from `width`, `height`, `fit` and `dpr`. */
  readonly resize: ResizeRequest;
  /** `undefined`: the source's own format. */
  readonly format: FormatParam | undefined;
  /** `undefined`: the configured default quality (lossy outputs only). */
  readonly quality: number | undefined;
}

/** Parameters that ask for a rendition; a request carrying none of them is passed through. */
export const RENDITION_PARAMS = ['upscale', 'width', 'height', 'fit', 'dpr', 'format', 'quality'] as const;

/** Every parameter this service owns (the renditions', and the signature `s`); the origin never sees them. */
export const PARAM_NAMES = [...RENDITION_PARAMS, 's'] as const;

/** WebP's largest edge: a longer output could not be encoded in every format we offer. */
const MAX_EDGE = 16383;

const FORMAT_VALUES: readonly FormatParam[] = [...IMAGE_FORMATS, 'auto'];
const SIZE_PARAMS = ['width', 'height', 'fit', 'dpr'] as const;

/** Whether the request asks for a rendition at all (else it is passed through untouched). */
export function wantsRendition(query: URLSearchParams): boolean {
  return RENDITION_PARAMS.some((name) => query.has(name));
}

/**
 * Parses our parameters strictly: each at most once, exact spellings, no silent defaults for
 * bad values (a paid compute endpoint answers 400 with the allowed values instead). `upscale`
 * and the display size (`width`/`height`, with `fit` and `dpr`) are alternatives. Returns
 * `undefined` when the request carries none of them.
 *
 * @example
 * parseUpscaleParams(new URLSearchParams('upscale=2&format=webp'), [2, 4]);
 * // { resize: { kind: 'scale', scale: 2 }, format: 'webp', quality: undefined }
 * parseUpscaleParams(new URLSearchParams('width=640&fit=cover&height=480'), [2, 4]);
 * // { resize: { kind: 'fit', width: 640, height: 480, fit: 'cover', dpr: 1 }, format: undefined, quality: undefined }
 * parseUpscaleParams(new URLSearchParams('upscale=3'), [2, 4]); // throws 400: upscale must be one of 2, 4
 */
export function parseUpscaleParams(query: URLSearchParams, scales: readonly number[]): UpscaleParams | undefined {
  if (!wantsRendition(query)) return undefined;
  const [upscale, width, height, fit, dpr, format, quality] = RENDITION_PARAMS.map((name) => single(query, name));
  if (format !== undefined && !(FORMAT_VALUES as readonly string[]).includes(format)) throw invalid(`format must be one of ${FORMAT_VALUES.join(', ')}`);
  if (quality !== undefined && (!/^[1-9][0-9]{0,2}$/.test(quality) || Number(quality) > 100)) throw invalid('quality must be an integer from 1 to 100');
  if (quality !== undefined && format === 'png') throw invalid('quality applies to lossy output only (jpeg, webp, avif)');
  const output = { format: format as FormatParam | undefined, quality: quality === undefined ? undefined : Number(quality) };
  const sizeGiven = SIZE_PARAMS.filter((name) => query.has(name));
  if (upscale !== undefined) {
    if (sizeGiven.length > 0) throw invalid(`upscale sets a scale and ${sizeGiven.join(', ')} a display size; give one or the other`);
    const scale = Number(upscale);
    if (!/^[1-9][0-9]*$/.test(upscale) || !scales.includes(scale)) throw invalid(`upscale must be one of ${scales.join(', ')}`);
    return { resize: { kind: 'scale', scale }, ...output };
  }
  if (width === undefined && height === undefined) {
    if (sizeGiven.length > 0) throw invalid(`${sizeGiven.join(' and ')} ${sizeGiven.length === 1 ? 'needs' : 'need'} a width or a height`);
    throw invalid(`upscale is required (one of ${scales.join(', ')}), or a width or height for a display size`);
  }
  if (fit !== undefined && !(FITS as readonly string[]).includes(fit)) throw invalid(`fit must be one of ${FITS.join(', ')}`);
  if (dpr !== undefined && (!/^[1-9](\.[0-9]{1,2})?$/.test(dpr) || Number(dpr) > 5))
    throw invalid('dpr must be a number from 1 to 5 with at most two decimals');
  return {
    resize: {
      kind: 'fit',
      width: edge('width', width),
      height: edge('height', height),
      fit: (fit as Fit | undefined) ?? 'contain',
      dpr: dpr === undefined ? 1 : Number(dpr),
    },
    ...output,
  };
}

/**
 * The raw query string without our parameters, other pairs byte for byte in their original order:
 * what the origin is asked for (re-serialising would change its encoding, and so its cache key).
 *
 * @example
 * originQuery('?v=3&name=a%20b&upscale=2&s=abc'); // '?v=3&name=a%20b'
 */
export function originQuery(search: string): string {
  const kept = queryPairs(search).filter((pair) => !(PARAM_NAMES as readonly string[]).includes(pairName(pair)));
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

/** The `name=value` pairs of a query string, as written (empty pairs dropped). */
export function queryPairs(search: string): string[] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '');
}

/** A pair's decoded name (`+` is a space); malformed escapes stay as written (they cannot spell our names). */
export function pairName(pair: string): string {
  const name = pair.split('=', 1)[0]!.replaceAll('+', ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function edge(name: 'width' | 'height', value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > MAX_EDGE) throw invalid(`${name} must be an integer from 1 to ${MAX_EDGE}`);
  return Number(value);
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(`${name} is given ${values.length} times; give it once`);
  return values[0];
}

function invalid(message: string): ServiceError {
  return new ServiceError(400, 'invalid_parameter', message);
}
