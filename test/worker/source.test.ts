import { describe, expect, it } from 'vitest';
import { resizeBuffer } from '../../src/core/bytes';
import { ServiceError } from '../../src/http/errors';
import type { Origin } from '../../src/http/origin';
import { openSource } from '../../src/http/source';

/** Bytes whose every position differs from its neighbours', so a misplaced chunk shows. */
function pattern(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 7 + (index >> 8)) & 0xff;
  return bytes;
}

/** A plain (not byte) stream of `bytes` in chunks of `chunk`, as a custom origin might build. */
function plainStream(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

/** A byte stream (BYOB-readable) of `bytes` in pieces of `chunk`, without a declared length. */
function byteStream(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    type: 'bytes',
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

const originOf = (respond: () => Response): Origin => ({ fetch: async () => respond() });

/** The whole source, read after a head of at least `headBytes`. */
const fetchWith = async (respond: () => Response, maxBytes: number, headBytes = 0) => {
  const download = await openSource(originOf(respond), '/a.png', { timeoutMs: 5_000, maxBytes, headComplete: (head) => head.length >= headBytes });
  return download.readAll();
};

/** The head and every chunk of the rest, joined. */
async function headAndRest(respond: () => Response, maxBytes: number, headBytes: number): Promise<{ head: Uint8Array; rest: Uint8Array }> {
  const download = await openSource(originOf(respond), '/a.jpg', { timeoutMs: 5_000, maxBytes, headComplete: (head) => head.length >= headBytes });
  const head = download.head.slice();
  const chunks: Uint8Array[] = [];
  for await (const chunk of download.rest()) chunks.push(chunk.slice()); // a chunk's buffer is reused by the next read
  return { head, rest: Uint8Array.from(chunks.flatMap((chunk) => [...chunk])) };
}

describe('fetchSource reads the body into one buffer', () => {
  const bytes = pattern(300_000); // larger than the first undeclared capacity (64 KiB): it grows

  it.each([
    ['a body of its declared length', () => new Response(bytes, { headers: { 'Content-Length': String(bytes.length) } })],
    ['an undeclared byte stream (the buffer grows)', () => new Response(byteStream(bytes, 40_000))],
    ['an undeclared plain stream', () => new Response(plainStream(bytes, 40_000))],
    ['a body longer than it declared', () => new Response(byteStream(bytes, 40_000), { headers: { 'Content-Length': '1000' } })],
    ['a body shorter than it declared', () => new Response(byteStream(bytes, 40_000), { headers: { 'Content-Length': String(bytes.length + 500) } })],
  ])('%s: every byte in order, as a view of a whole buffer', async (_, respond) => {
    const read = await fetchWith(respond, bytes.length + 1000);
    expect(read.length).toBe(bytes.length);
    expect(read).toEqual(bytes);
    // releaseBuffer frees only views of whole buffers: the source must be one.
    expect(read.byteOffset).toBe(0);
    expect(read.buffer.byteLength).toBe(bytes.length);
  });

  it.each([
    ['declared', () => new Response(bytes, { headers: { 'Content-Length': String(bytes.length) } })],
    ['undeclared byte stream', () => new Response(byteStream(bytes, 40_000))],
    ['undeclared plain stream', () => new Response(plainStream(bytes, 40_000))],
    ['declaring less than it sends', () => new Response(byteStream(bytes, 40_000), { headers: { 'Content-Length': '1000' } })],
  ])('413 source_too_large one byte over the limit: %s', async (_, respond) => {
    const error = await fetchWith(respond, bytes.length - 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(413);
    expect((error as ServiceError).code).toBe('source_too_large');
  });

  it.each([0, 1000, 70_000])('the same bytes after a head of at least %i bytes', async (headBytes) => {
    const read = await fetchWith(() => new Response(byteStream(bytes, 40_000)), bytes.length, headBytes);
    expect(read).toEqual(bytes);
  });

  it('an empty body is an empty source', async () => {
    expect((await fetchWith(() => new Response(new Uint8Array(0), { headers: { 'Content-Length': '0' } }), 10)).length).toBe(0);
    expect((await fetchWith(() => new Response(byteStream(new Uint8Array(0), 1)), 10)).length).toBe(0);
  });
});

describe('openSource reads a head, then the rest as it arrives', () => {
  const bytes = pattern(300_000);

  it.each([
    ['a byte stream', () => new Response(byteStream(bytes, 40_000))],
    ['a plain stream', () => new Response(plainStream(bytes, 40_000))],
    ['a declared body', () => new Response(bytes, { headers: { 'Content-Length': String(bytes.length) } })],
  ])('%s: the head stops once it is complete, the rest follows in order', async (_, respond) => {
    const { head, rest } = await headAndRest(respond, bytes.length, 50_000);
    expect(head.length).toBeGreaterThanOrEqual(50_000);
    expect(head.length).toBeLessThan(bytes.length);
    expect(Uint8Array.from([...head, ...rest])).toEqual(bytes);
  });

  it('413 source_too_large from the rest one byte over the limit', async () => {
    const error = await headAndRest(() => new Response(byteStream(bytes, 40_000)), bytes.length - 1, 1000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(413);
  });

  it('gives each chunk of the rest the timeout, not the whole body: a slow reader is no slow origin', async () => {
    const download = await openSource(
      originOf(() => new Response(byteStream(bytes, 40_000))),
      '/a.jpg',
      { timeoutMs: 200, maxBytes: bytes.length, headComplete: () => true },
    );
    let read = 0;
    for await (const chunk of download.rest()) {
      read += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 60)); // 8 chunks: 480 ms in all
    }
    expect(read).toBe(bytes.length);
  });

  it('504 origin_timeout when the origin stalls in the middle of the rest', async () => {
    let sent = false;
    const stalling = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        if (!sent) controller.enqueue(bytes.slice(0, 1000));
        sent = true;
        return new Promise(() => {}); // never delivers again
      },
    });
    const download = await openSource(
      originOf(() => new Response(stalling)),
      '/a.jpg',
      { timeoutMs: 200, maxBytes: bytes.length, headComplete: (head) => head.length > 0 },
    );
    const error = await (async () => {
      for await (const _ of download.rest());
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(504);
  });

  it('cancels the download when the rest is left unread', async () => {
    let cancelled = false;
    let offset = 0;
    const stream = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        controller.enqueue(bytes.slice(offset, offset + 10_000));
        offset += 10_000;
      },
      cancel() {
        cancelled = true;
      },
    });
    const download = await openSource(
      originOf(() => new Response(stream)),
      '/a.jpg',
      { timeoutMs: 5_000, maxBytes: 1 << 20, headComplete: (head) => head.length > 0 },
    );
    const rest = download.rest();
    expect((await rest.next()).done).toBe(false);
    await rest.return(undefined);
    expect(cancelled).toBe(true);
    expect(offset).toBeLessThan(bytes.length); // it stopped pulling
  });
});

describe('resizeBuffer', () => {
  it.each([
    ['grows, zero-filling the new bytes', 5, [1, 2, 3, 4, 5, 0, 0, 0]],
    ['trims to the first bytes', 8, [1, 2, 3]],
  ])('%s, and detaches the old buffer (workerd has transfer)', (_, from, expected) => {
    const old = Uint8Array.from({ length: from }, (_value, index) => (index < 5 ? index + 1 : 0)).buffer;
    const resized = resizeBuffer(old, expected.length);
    expect([...new Uint8Array(resized)]).toEqual(expected);
    expect(old.byteLength).toBe(0);
  });
});
