import { CODECS_VERSION } from '../codec/codecs';
import { sha256Hex } from '../core/digest';

/**
 * A strong entity tag for a body that is still to be computed: 128 bits of the SHA-256 of what
 * determines its bytes, known before the first byte is sent. That is the source's bytes (their
 * SHA-256), the rendition's identity (`renditionId`: path, canonical parameters, negotiated
 * format, the SHA-256 of every model it may run) and {@link CODECS_VERSION}. The pipeline is deterministic, so equal
 * inputs give byte-identical bodies, as RFC 9110 8.8.3 requires of a strong validator.
 *
 * @example
 * await renditionEtag(await sha256Hex(sourceBytes), renditionId(url, params, preferences, models)); // '"9f86d081884c7d659a2feaa0c55ad015"'
 */
export async function renditionEtag(sourceSha256: string, id: string): Promise<string> {
  const validator = `${sourceSha256} ${id} ${CODECS_VERSION}`;
  return `"${(await sha256Hex(new TextEncoder().encode(validator))).slice(0, 32)}"`;
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
