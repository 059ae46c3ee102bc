import { resizeBuffer } from '../core/bytes';
import { abortable } from './abortable';
import { ServiceError, isTimeout } from './errors';
import type { Origin } from './origin';

interface SourceFetchOptions {
  /** Time allowed for the headers and a body read whole; a body read in chunks ({@link SourceDownload.rest}) gets it per chunk. */
  readonly timeoutMs: number;
  /** Largest source accepted, checked against `Content-Length` and again while reading. */
  readonly maxBytes: number;
}

/** Asking for what we decode lets content-negotiating origins pick a format we can read. */
const SOURCE_ACCEPT = 'image/webp,image/png,image/jpeg;q=0.9';

/**
 * A source image being downloaded: its first bytes are read, the rest is still in the response.
 * Exactly one of {@link readAll}, {@link rest} or {@link cancel} finishes it.
 */
export interface SourceDownload {
  /**
   * The first bytes, up to where the `headComplete` test of {@link openSource} passed (or all,
   * when the body ended first); {@link readAll} detaches this view (it reads on into its buffer).
   */
  readonly head: Uint8Array<ArrayBuffer>;
  /** The whole source in one buffer, the head included: held once, as a view of its whole buffer. */
  readAll(): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * The bytes after the head, chunk by chunk, as they arrive; a chunk is valid until the next one
   * is asked for (its buffer is reused). Stopping early cancels the download. The origin must
   * deliver each chunk within the timeout of asking for it (504 otherwise): a budget for the whole
   * body would also count the time the caller spends between chunks (a decoder's), which is the
   * request deadline's business.
   */
  rest(): AsyncGenerator<Uint8Array>;
  /** Stops the download, for a source refused from its head. */
  cancel(): Promise<void>;
}

export interface SourceOpenOptions extends SourceFetchOptions {
  /** Whether the bytes so far hold all that the caller needs before deciding how to read the rest. */
  readonly headComplete: (head: Uint8Array) => boolean;
}

/** Most of a body read as its head: a longer header is read with the rest of the file. */
const MAX_HEAD_BYTES = 1 << 20;
/** What the head reads first; it grows by doubling while `headComplete` asks for more. */
const FIRST_HEAD_BYTES = 64 << 10;
/** The buffer each chunk of {@link SourceDownload.rest} is read into. */
const CHUNK_BYTES = 64 << 10;
/** First capacity when the origin declares no length; the buffer doubles from there. */
const UNDECLARED_CAPACITY = 64 << 10;

/**
 * Requests the source image for `path` and reads its head, mapping origin failures to the
 * client's errors: 404 for a missing image, 502 for any other failure, 504 when the origin is too
 * slow (headers, head and a whole body read with {@link SourceDownload.readAll} within `timeoutMs`;
 * with {@link SourceDownload.rest}, each chunk within it), 413 when the image is larger than allowed
 * (without reading more than `maxBytes + 1 chunk`). Redirects are followed only within the origin
 * (see {@link Origin}).
 *
 * @example
 * const download = await openSource(origin, '/samples/a.jpg', { timeoutMs: 10_000, maxBytes: 8 << 20, headComplete: (head) => head.length >= 33 });
 * const bytes = await download.readAll();
 */
export async function openSource(origin: Origin, path: string, options: SourceOpenOptions): Promise<SourceDownload> {
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
  const capacity = Math.min(Number.isSafeInteger(declared) && declared >= 0 ? declared : UNDECLARED_CAPACITY, options.maxBytes);
  const body = new BodyReader(response.body, options.maxBytes, signal);
  try {
    const head = await body.readHead(Math.min(capacity, FIRST_HEAD_BYTES), options.headComplete);
    return {
      head,
      readAll: () => failuresMapped(body.readAll(capacity), options),
      rest: () => body.rest(options),
      cancel: () => body.cancel(),
    };
  } catch (error) {
    await body.cancel();
    throw originFailure(error, options);
  }
}

async function failuresMapped<T>(work: Promise<T>, options: SourceFetchOptions): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw originFailure(error, options);
  }
}

/**
 * A response body read into one buffer, sized from `Content-Length` when the origin declares it,
 * and read straight into where the stream allows (a BYOB reader, as workerd's fetch and R2 bodies
 * do): the source is held once. Collecting chunks and joining them held it twice, and the dropped
 * chunks stayed until V8 collected (6.4 MiB each for a 24 MP JPEG; see docs/benchmarks.md, "The
 * source held once"). Or, after its head, as chunks for a decoder that reads as the bytes arrive.
 * Every read is bounded by the signal: not every origin's body stream obeys the signal its request
 * was made with (an R2 object's does not).
 */
class BodyReader {
  private readonly reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array> | undefined;
  private bytes: BodyBuffer | undefined;
  private done: boolean;

  constructor(
    body: ReadableStream<Uint8Array> | null,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal,
  ) {
    this.reader = body === null ? undefined : (byobReader(body) ?? body.getReader());
    this.done = body === null;
  }

  /** Reads into a buffer of `capacity` (growing it) until `complete` says the head is enough, the body ends or the head reaches {@link MAX_HEAD_BYTES}. */
  async readHead(capacity: number, complete: (head: Uint8Array) => boolean): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = new BodyBuffer(capacity, this.maxBytes);
    this.bytes = bytes;
    while (!this.done && bytes.length < MAX_HEAD_BYTES && !complete(bytes.view())) this.done = await this.readInto(bytes);
    return bytes.view();
  }

  /** The rest read after the head, into its buffer grown to `capacity` first. */
  async readAll(capacity: number): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = this.bytes!;
    try {
      bytes.reserve(capacity);
      while (!this.done) this.done = await this.readInto(bytes);
      return bytes.finish();
    } catch (error) {
      await this.cancel();
      throw error;
    }
  }

  async *rest(options: SourceFetchOptions): AsyncGenerator<Uint8Array> {
    let total = this.bytes!.length;
    let buffer = new ArrayBuffer(CHUNK_BYTES);
    try {
      while (!this.done) {
        const { done, value } = await failuresMapped(this.readChunk(buffer, AbortSignal.timeout(options.timeoutMs)), options);
        this.done = done;
        if (value === undefined) continue;
        if (this.reader instanceof ReadableStreamBYOBReader) buffer = value.buffer as ArrayBuffer; // ours, transferred back by the read
        if (value.byteLength === 0) continue;
        total += value.byteLength;
        if (total > this.maxBytes) throw tooLarge(this.maxBytes);
        yield value;
      }
    } finally {
      if (!this.done) await this.cancel();
    }
  }

  async cancel(): Promise<void> {
    this.done = true;
    await this.reader?.cancel().catch(() => {});
  }

  private readInto(bytes: BodyBuffer): Promise<boolean> {
    const reader = this.reader!;
    return reader instanceof ReadableStreamBYOBReader ? bytes.readFrom(reader, this.signal) : bytes.appendFrom(reader, this.signal);
  }

  private readChunk(buffer: ArrayBuffer, signal: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array>> {
    const reader = this.reader!;
    return abortable(reader instanceof ReadableStreamBYOBReader ? reader.read(new Uint8Array(buffer)) : reader.read(), signal);
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
  private filled = 0;

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
    const full = this.filled === this.buffer.byteLength;
    const into = full ? new Uint8Array(1) : new Uint8Array(this.buffer, this.filled);
    const { done, value } = await abortable(reader.read(into), signal);
    if (full) {
      if (value !== undefined && value.byteLength > 0) this.append(value);
    } else if (value !== undefined) {
      // The read transferred our buffer to the stream and back: `value` views the same bytes.
      this.buffer = value.buffer as ArrayBuffer;
      this.filled += value.byteLength; // within the buffer, so within maxBytes
    }
    return done;
  }

  /** One read of a plain stream, its chunk copied in. True at the end. */
  async appendFrom(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal): Promise<boolean> {
    const { done, value } = await abortable(reader.read(), signal);
    if (value !== undefined) this.append(value);
    return done;
  }

  /** Bytes read so far. */
  get length(): number {
    return this.filled;
  }

  /** The bytes read so far; the view is detached by the next read or {@link reserve}. */
  view(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer, 0, this.filled);
  }

  /** Grows the buffer to `capacity` (never shrinks it), before reads of a body of that declared length. */
  reserve(capacity: number): void {
    if (capacity > this.buffer.byteLength) this.buffer = resizeBuffer(this.buffer, capacity);
  }

  /** The bytes read, as a view of the whole of its buffer (so that `releaseBuffer` can free it). */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.filled < this.buffer.byteLength) this.buffer = resizeBuffer(this.buffer, this.filled);
    return new Uint8Array(this.buffer);
  }

  private append(chunk: Uint8Array): void {
    const needed = this.filled + chunk.byteLength;
    if (needed > this.maxBytes) throw tooLarge(this.maxBytes);
    if (needed > this.buffer.byteLength) this.buffer = resizeBuffer(this.buffer, Math.min(Math.max(needed, 2 * this.buffer.byteLength), this.maxBytes));
    new Uint8Array(this.buffer).set(chunk, this.filled);
    this.filled = needed;
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
