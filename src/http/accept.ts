import { IMAGE_FORMATS, MEDIA_TYPES, type ImageFormat } from '../codec/format';

/** How much the client wants each output format: the `q` its `Accept` header gives it (0..1). */
export type FormatPreferences = Readonly<Record<ImageFormat, number>>;

/**
 * Reads the client's preference for each of our formats from `Accept` (RFC 9110 12.5.1): the most
 * specific matching media range wins (`image/webp` over `image/*` over the wildcard for any type). Without an
 * `Accept` header every format is acceptable (q = 1). Malformed ranges are skipped.
 *
 * @example
 * formatPreferences('image/webp,image/*;q=0.8'); // { png: 0.8, jpeg: 0.8, webp: 1 }
 */
export function formatPreferences(accept: string | undefined): FormatPreferences {
  if (accept === undefined || accept.trim() === '') return { png: 1, jpeg: 1, webp: 1 };
  const ranges = accept.split(',').flatMap(parseRange);
  const preference = (format: ImageFormat): number => {
    const [type, subtype] = MEDIA_TYPES[format].split('/');
    let best: { specificity: number; q: number } = { specificity: -1, q: 0 };
    for (const range of ranges) {
      const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' ? 0 : -1;
      if (specificity > best.specificity) best = { specificity, q: range.q };
    }
    return best.q;
  };
  return { png: preference('png'), jpeg: preference('jpeg'), webp: preference('webp') };
}

/**
 * `format=auto`: the format the client prefers most; ties go to WebP (smallest files at equal
 * quality), then to the source's own format. Only `allowed` formats are considered (an output too
 * large for WebP's whole-image encoder leaves it out). When the client accepts none of them, the
 * source format (else the first allowed) is served anyway (RFC 9110 lets a server disregard `Accept` rather than answer 406).
 *
 * @example
 * chooseFormat(formatPreferences('image/avif,image/webp'), 'jpeg'); // 'webp'
 * chooseFormat(formatPreferences('image/png,image/jpeg'), 'jpeg'); // 'jpeg' (tie: the source's format)
 */
export function chooseFormat(preferences: FormatPreferences, source: ImageFormat, allowed: readonly ImageFormat[] = IMAGE_FORMATS): ImageFormat {
  const order = (['webp', source, ...IMAGE_FORMATS] as ImageFormat[]).filter((format, i, all) => all.indexOf(format) === i && allowed.includes(format));
  let chosen = allowed.includes(source) ? source : order[0]!;
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
