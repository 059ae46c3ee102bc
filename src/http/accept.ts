import { IMAGE_FORMATS, MEDIA_TYPES, type ImageFormat } from '../codec/format';

/** How much the client wants each output format: the `q` its `Accept` header gives it (0..1). */
export type FormatPreferences = Readonly<Record<ImageFormat, number>>;

/** Formats a client accepts only by naming their media type: no wildcard range stands for them. */
const NAMED_ONLY: readonly ImageFormat[] = ['avif'];

/**
 * Reads the client's preference for each of our formats from `Accept` (RFC 9110 12.5.1): the most
 * specific matching media range wins (`image/webp` over `image/*` over the wildcard for any type). Without an
 * `Accept` header every format is acceptable (q = 1), except AVIF.
 *
 * AVIF is acceptable only where `image/avif` itself is named ({@link NAMED_ONLY}): browsers that
 * decode AVIF name it, while browsers from before their AVIF support (Chrome before 85, for one)
 * send `image/*` or the wildcard for any type, and `format=auto` must not hand them an image they
 * cannot show. Malformed ranges are skipped.
 *
 * @example
 * formatPreferences('image/webp,image/*;q=0.8'); // { png: 0.8, jpeg: 0.8, webp: 1, avif: 0 }
 * formatPreferences('image/avif,image/webp,image/*;q=0.8'); // { png: 0.8, jpeg: 0.8, webp: 1, avif: 1 }
 */
export function formatPreferences(accept: string | undefined): FormatPreferences {
  const named = (format: ImageFormat) => NAMED_ONLY.includes(format);
  if (accept === undefined || accept.trim() === '') return preferencesBy((format) => (named(format) ? 0 : 1));
  const ranges = accept.split(',').flatMap(parseRange);
  return preferencesBy((format) => {
    const [type, subtype] = MEDIA_TYPES[format].split('/');
    let best: { specificity: number; q: number } = { specificity: -1, q: 0 };
    for (const range of ranges) {
      const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' ? 0 : -1;
      if (specificity > best.specificity) best = { specificity, q: range.q };
    }
    return named(format) && best.specificity < 2 ? 0 : best.q;
  });
}

function preferencesBy(preference: (format: ImageFormat) => number): FormatPreferences {
  return Object.fromEntries(IMAGE_FORMATS.map((format) => [format, preference(format)])) as Record<ImageFormat, number>;
}

/**
 * `format=auto`: the format the client prefers most; ties go to AVIF, then WebP (smallest files at
 * equal quality, in that order), then to the source's own format. Only `allowed` formats are
 * considered (an output too large for AVIF's or WebP's whole-image encoder leaves that format out).
 * When the client accepts none of them, the source format (else the first allowed, in
 * {@link IMAGE_FORMATS} order: PNG when it is) is served anyway (RFC 9110 lets a server disregard
 * `Accept` rather than answer 406), but never a {@link NAMED_ONLY} format the client did not name:
 * an AVIF source then becomes PNG.
 *
 * @example
 * chooseFormat(formatPreferences('image/avif,image/webp'), 'jpeg'); // 'avif'
 * chooseFormat(formatPreferences('image/avif,image/webp'), 'jpeg', ['png', 'jpeg', 'webp']); // 'webp'
 * chooseFormat(formatPreferences('image/png,image/jpeg'), 'jpeg'); // 'jpeg' (tie: the source's format)
 */
export function chooseFormat(preferences: FormatPreferences, source: ImageFormat, allowed: readonly ImageFormat[] = IMAGE_FORMATS): ImageFormat {
  const order = (['avif', 'webp', source, ...IMAGE_FORMATS] as ImageFormat[]).filter((format, i, all) => all.indexOf(format) === i && allowed.includes(format));
  const fallbacks = [source, ...IMAGE_FORMATS].filter((format) => allowed.includes(format));
  let chosen = fallbacks.find((format) => !NAMED_ONLY.includes(format)) ?? fallbacks[0] ?? source;
  let bestQ = 0;
  for (const format of order) {
    if (preferences[format] > bestQ) {
      chosen = format;
      bestQ = preferences[format];
    }
  }
  return chosen;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseRange(text: string): MediaRange[] {
  const [mediaType, ...params] = text.split(';').map((part) => part.trim().toLowerCase());
  const match = /^([a-z0-9!#$&^_.+-]+|\*)\/([a-z0-9!#$&^_.+-]+|\*)$/.exec(mediaType ?? '');
  if (!match) return [];
  let q = 1;
  for (const param of params) {
    const [name, value] = param.split('=').map((part) => part.trim());
    if (name !== 'q') continue;
    if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '')) return [];
    q = Number(value);
  }
  return [{ type: match[1]!, subtype: match[2]!, q }];
}
