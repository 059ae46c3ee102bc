import { resizeBuffer } from '../core/bytes';
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

/** First capacity when the origin declares no length; the buffer doubles from there. */
const UNDECLARED_CAPACITY = 64 << 10;

/**
 * Reads the body up to `maxBytes` into one buffer, sized from `Content-Length` when the origin
 * declares it, and read straight into where the stream allows (a BYOB reader, as workerd's fetch
 * and R2 bodies do): the source is held once. Collecting chunks and joining them held it twice,
 * and the dropped chunks stayed until V8 collected (6.4 MiB each for a 24 MP JPEG; see
 * docs/benchmarks.md, "The source held once"). Every read is bounded by the signal: not every
 * origin's body stream obeys the signal its request was made with (an R2 object's does not).
 */
async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(0);
  const declared = Number(response.headers.get('Content-Length') ?? Number.NaN);
  const capacity = Number.isSafeInteger(declared) && declared >= 0 ? declared : UNDECLARED_CAPACITY;
  const bytes = new BodyBuffer(Math.min(capacity, maxBytes), maxBytes);
  const reader = byobReader(response.body) ?? response.body.getReader();
  try {
    for (;;) {
      const done = reader instanceof ReadableStreamBYOBReader ? await bytes.readFrom(reader, signal) : await bytes.appendFrom(reader, signal);
      if (done) return bytes.finish();
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

/** A BYOB reader when the body is a byte stream; undefined for a plain stream (a custom origin's). */
function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return body.getReader({ mode: 'byob' });
  } catch {
    return undefined;
  }
}

/**
 * A growing byte buffer that a body is read into, refusing more than `maxBytes` (413). Growth
 * moves the bytes with `transfer`, which frees the old buffer at once (where the runtime has it),
 * and never past `maxBytes`; a body that ends exactly at its declared length fills the first
 * buffer and is handed over without a copy.
 */
class BodyBuffer {
  private buffer: ArrayBuffer;
  private length = 0;

  constructor(
    capacity: number,
    private readonly maxBytes: number,
  ) {
    this.buffer = new ArrayBuffer(capacity);
  }

  /**
   * One BYOB read into the free space; when the buffer is full, into a one-byte probe instead,
   * so that the end of a body of exactly the declared length costs no growth. True at the end.
   */
  async readFrom(reader: ReadableStreamBYOBReader, signal: AbortSignal): Promise<boolean> {
    const full = this.length === this.buffer.byteLength;
    const into = full ? new Uint8Array(1) : new Uint8Array(this.buffer, this.length);
    const { done, value } = await abortable(reader.read(into), signal);
    if (full) {
      if (value !== undefined && value.byteLength > 0) this.append(value);
    } else if (value !== undefined) {
      // The read transferred our buffer to the stream and back: `value` views the same bytes.
      this.buffer = value.buffer as ArrayBuffer;
      this.length += value.byteLength; // within the buffer, so within maxBytes
    }
    return done;
  }

  /** One read of a plain stream, its chunk copied in. True at the end. */
  async appendFrom(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal): Promise<boolean> {
    const { done, value } = await abortable(reader.read(), signal);
    if (value !== undefined) this.append(value);
    return done;
  }

  /** The bytes read, as a view of the whole of its buffer (so that `releaseBuffer` can free it). */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.length < this.buffer.byteLength) this.buffer = resizeBuffer(this.buffer, this.length);
    return new Uint8Array(this.buffer);
  }

  private append(chunk: Uint8Array): void {
    const needed = this.length + chunk.byteLength;
    if (needed > this.maxBytes) throw tooLarge(this.maxBytes);
    if (needed > this.buffer.byteLength) this.buffer = resizeBuffer(this.buffer, Math.min(Math.max(needed, 2 * this.buffer.byteLength), this.maxBytes));
    new Uint8Array(this.buffer).set(chunk, this.length);
    this.length = needed;
  }
}

function originFailure(error: unknown, options: SourceFetchOptions): ServiceError {
  if (error instanceof ServiceError) return error;
  if (isTimeout(error)) return new ServiceError(504, 'origin_timeout', `the origin did not deliver the image within ${options.timeoutMs} ms`, { cause: error });
  return new ServiceError(502, 'origin_error', 'the origin could not be reached', { cause: error });
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError(413, 'source_too_large', `the source image is larger than ${maxBytes} bytes`);
}
