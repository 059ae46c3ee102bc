import { afterEach, describe, expect, it, vi } from 'vitest';
import { readImageHeader } from '../../src/codec/header';
import { DEFAULT_CONFIG } from '../../src/config';
import { collectBands } from '../../src/core/bands';
import { codecs, paintedImage, serviceApp, TestOrigin } from './harness';

afterEach(() => vi.restoreAllMocks());

/** A baseline JPEG the shipped encoder makes (4:2:0, 16-row MCU rows). */
const jpeg = (width: number, height: number) => codecs.encode(paintedImage(width, height), 'jpeg', 90);

interface Delivery {
  /** Bytes the service has pulled from the body. */
  pulled: number;
  cancelled: boolean;
}

/**
 * An origin response that delivers `bytes` in chunks of `chunk` as the reader pulls them, then
 * `end`: close, or fail with an error (the connection drops).
 */
function delivering(bytes: Uint8Array, chunk: number, delivery: Delivery, end: 'close' | Error = 'close'): () => Response {
  return () => {
    let offset = 0;
    const body = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        if (offset >= bytes.length) {
          if (end === 'close') controller.close();
          else controller.error(end);
          return;
        }
        const part = bytes.slice(offset, offset + chunk);
        offset += part.length;
        delivery.pulled = offset;
        controller.enqueue(part);
      },
      cancel() {
        delivery.cancelled = true;
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'image/jpeg' } });
  };
}

const stagesOf = (response: Response) =>
  response.headers
    .get('Server-Timing')!
    .split(', ')
    .map((entry) => entry.split(';')[0]);

describe('a thumbnail of a baseline JPEG rendered as the source downloads', () => {
  it('has the bytes and the tag of the rendition made from the whole source', async () => {
    const source = await jpeg(480, 320);
    const delivery = { pulled: 0, cancelled: false };
    const app = serviceApp(new TestOrigin({ '/a.jpg': delivering(source, 1000, delivery) }));
    const streamed = await app.request('/a.jpg?width=100');
    expect(streamed.status).toBe(200);
    expect(stagesOf(streamed)).toEqual(['fetch', 'render']);
    // A conditional request takes the whole-source path (its tag before any pixel work).
    const whole = await app.request('/a.jpg?width=100', { headers: { 'If-None-Match': '"another"' } });
    expect(stagesOf(whole)).toEqual(['fetch', 'download', 'check', 'decode']);
    expect(streamed.headers.get('ETag')).toBe(whole.headers.get('ETag'));
    const bytes = new Uint8Array(await streamed.arrayBuffer());
    expect(bytes).toEqual(new Uint8Array(await whole.arrayBuffer()));
    expect(readImageHeader(bytes)).toMatchObject({ format: 'jpeg', width: 100, height: 67 });
    // ...and revalidates against that tag without decoding.
    const revalidated = await app.request('/a.jpg?width=100', { headers: { 'If-None-Match': streamed.headers.get('ETag')! } });
    expect(revalidated.status).toBe(304);
  });

  it('answers 502 before any byte when the origin drops mid-body, and stops reading', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const source = await jpeg(480, 320);
    const delivery = { pulled: 0, cancelled: false };
    const origin = new TestOrigin({ '/a.jpg': delivering(source.subarray(0, source.length >> 1), 1000, delivery, new Error('connection reset')) });
    const response = await serviceApp(origin).request('/a.jpg?width=100');
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_error');
  });

  it('answers 422 malformed_image for a body that ends inside the scan, where the whole-source path can only cut its stream', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const source = await jpeg(480, 320);
    const origin = new TestOrigin({ '/a.jpg': delivering(source.subarray(0, source.length >> 1), 1000, { pulled: 0, cancelled: false }) });
    const response = await serviceApp(origin).request('/a.jpg?width=100');
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('malformed_image');
    const whole = await serviceApp(origin).request('/a.jpg?width=100', { headers: { 'If-None-Match': '"x"' } });
    expect(whole.status).toBe(200); // the scan runs out during the body's bands
    await expect(whole.arrayBuffer()).rejects.toThrow();
  });

  it('answers 413 once the body passes sourceBytes, though it declared no length', async () => {
    const source = await jpeg(480, 320);
    const delivery = { pulled: 0, cancelled: false };
    const origin = new TestOrigin({ '/a.jpg': delivering(source, 1000, delivery) });
    const response = await serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceBytes: source.length - 1 } }).request('/a.jpg?width=100');
    expect(response.status).toBe(413);
  });

  it('refuses a source over its limits from the head, leaving the rest of the body unread', async () => {
    const source = await jpeg(480, 320);
    const delivery = { pulled: 0, cancelled: false };
    const origin = new TestOrigin({ '/a.jpg': delivering(source, 1000, delivery) });
    const response = await serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceSide: 400 } }).request('/a.jpg?width=100');
    expect(response.status).toBe(422);
    expect(delivery.cancelled).toBe(true);
    expect(delivery.pulled).toBeLessThan(source.length);
  });

  it('leaves larger outputs and upscales to the whole-source path', async () => {
    const source = await jpeg(200, 120);
    const origin = new TestOrigin({ '/a.jpg': delivering(source, 1000, { pulled: 0, cancelled: false }) });
    const app = serviceApp(origin);
    expect(stagesOf(await app.request('/a.jpg?upscale=2'))).toEqual(['fetch', 'download', 'model', 'check', 'decode']);
  });
});

describe('codecs.decodeBands on a file still arriving', () => {
  it('reads a format without a streaming decoder whole first, to the same pixels', async () => {
    const png = await codecs.encode(paintedImage(90, 60), 'png', 100);
    const header = readImageHeader(png);
    async function* rest(): AsyncGenerator<Uint8Array> {
      for (let i = 40; i < png.length; i += 500) yield png.slice(i, i + 500);
    }
    const streamed = await collectBands(await codecs.decodeBands({ head: png.subarray(0, 40), rest: rest() }, header));
    const whole = await collectBands(await codecs.decodeBands(png, header));
    expect(streamed.data).toEqual(whole.data);
  });
});
