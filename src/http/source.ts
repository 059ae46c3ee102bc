import { abortable } from './abortable';
import { ServiceError, isTimeout } from './errors';
import type { Origin } from './origin';

export interface SourceFetchOptions {
  /** Time allowed for the whole download, headers and body. */
  readonly timeoutMs: number;
  /** Largest source accepted, checked against `Content-Length` and again while reading. */
  readonly maxBytes: number;
}

/** Asking for what we decode lets content-negotiating origins pick a format we can read. */
const SOURCE_ACCEPT = 'image/webp,image/png,image/jpeg;q=0.9';

/**
 * Downloads the source image for `path` into memory, mapping origin failures to the client's
 * errors: 404 for a missing image, 502 for any other failure, 504 when the origin is too slow,
 * 413 when the image is larger than allowed (without reading more than `maxBytes + 1 chunk`).
 * Redirects are followed only within the origin (see {@link Origin}).
 *
 * @example
 * const bytes = await fetchSource(origin, '/samples/a.png', { timeoutMs: 10_000, maxBytes: 8 << 20 });
 */
export async function fetchSource(origin: Origin, path: string, options: SourceFetchOptions): Promise<Uint8Array<ArrayBuffer>> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await origin.fetch(path, { method: 'GET', headers: { Accept: SOURCE_ACCEPT }, signal });
  } catch (error) {
    throw originFailure(error, options);
  }
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) throw new ServiceError(404, 'origin_not_found', 'the origin has no image at this path');
    throw new ServiceError(502, 'origin_error', `the origin answered ${response.status}`);
  }
  const declared = Number(response.headers.get('Content-Length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(options.maxBytes);
  }
  try {
    return await readLimited(response, options.maxBytes, signal);
  } catch (error) {
    throw originFailure(error, options);
  }
}

/**
 * Reads the body up to `maxBytes`. Every read is bounded by the signal: not every origin's body
 * stream obeys the signal its request was made with (an R2 object's does not).
 */
async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await abortable(reader.read(), signal).catch(async (error: unknown) => {
      await reader.cancel().catch(() => {});
      throw error;
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function originFailure(error: unknown, options: SourceFetchOptions): ServiceError {
  if (error instanceof ServiceError) return error;
  if (isTimeout(error)) return new ServiceError(504, 'origin_timeout', `the origin did not deliver the image within ${options.timeoutMs} ms`, { cause: error });
  return new ServiceError(502, 'origin_error', 'the origin could not be reached', { cause: error });
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError(413, 'source_too_large', `the source image is larger than ${maxBytes} bytes`);
}
