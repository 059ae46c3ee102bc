import { sha256Hex } from '../core/digest';

/**
 * A strong entity tag derived from the response bytes (128 bits of their SHA-256), so equal tags
 * mean byte-identical bodies, as RFC 9110 8.8.3 requires of a strong validator.
 *
 * @example
 * await strongEtag(bytes); // '"9f86d081884c7d659a2feaa0c55ad015"'
 */
export async function strongEtag(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return `"${(await sha256Hex(bytes)).slice(0, 32)}"`;
}

/**
 * Whether `If-None-Match` matches `etag` (RFC 9110 13.1.2: `*` or any listed tag, compared
 * weakly, i.e. ignoring `W/`), in which case the answer is 304 Not Modified.
 *
 * @example
 * ifNoneMatchMatches('W/"a", "b"', '"b"'); // true
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return (ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => tag.replace(/^W\//, '') === opaque);
}
