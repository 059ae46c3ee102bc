import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config';
import { r2Origin } from '../../src/http/r2-origin';
import { workerOrigin, type OptionalBindings } from '../../src/platform/worker-origin';
import { codecs, paintedImage, responseSize, serviceApp } from './harness';

// The bucket miniflare provides for these tests (vitest.worker.config.ts).
const bucket = (env as unknown as OptionalBindings).ORIGIN_BUCKET!;

async function putImage(key: string): Promise<Uint8Array> {
  const bytes = await codecs.encode(paintedImage(20, 14), 'png', 90);
  await bucket.put(key, bytes, { httpMetadata: { contentType: 'image/png', cacheControl: 'public, max-age=60' } });
  return bytes;
}

describe('R2 origin', () => {
  const app = () => serviceApp(r2Origin(bucket, 'images/'));

  it('upscales an object named by the path under the key prefix', async () => {
    await putImage('images/cats/tom.png');
    const response = await app().request('/cats/tom.png?upscale=2');
    expect(response.status).toBe(200);
    expect(await responseSize(response)).toEqual({ format: 'png', width: 40, height: 28 });
  });

  it('percent-decodes the path into the key, ignoring the query', async () => {
    await putImage('images/with space.png');
    expect((await app().request('/with%20space.png?v=3&width=10')).status).toBe(200);
  });

  it('answers a missing object with a 404', async () => {
    const response = await app().request('/nothing.png?upscale=2');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_not_found');
  });

  describe('pass-through, like a static file server', () => {
    it('serves the object with its stored metadata and ETag', async () => {
      const bytes = await putImage('images/plain.png');
      const response = await app().request('/plain.png');
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toBe('image/png');
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
      expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    });

    it('answers If-None-Match with 304, Range with 206, HEAD with the size, and other methods with 405', async () => {
      const bytes = await putImage('images/ranged.png');
      const service = app();
      const etag = (await service.request('/ranged.png')).headers.get('ETag')!;
      expect((await service.request('/ranged.png', { headers: { 'If-None-Match': etag } })).status).toBe(304);
      const ranged = await service.request('/ranged.png', { headers: { Range: 'bytes=0-9' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('Content-Range')).toBe(`bytes 0-9/${bytes.length}`);
      expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(bytes.slice(0, 10));
      const head = await service.request('/ranged.png', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('Content-Length')).toBe(String(bytes.length));
      expect((await service.request('/ranged.png', { method: 'DELETE' })).status).toBe(405);
      expect(await bucket.head('images/ranged.png')).not.toBeNull(); // and nothing was deleted
    });
  });
});

describe('workerOrigin', () => {
  const assets = { fetch: () => Promise.resolve(new Response('asset')) } as unknown as Fetcher;

  it('reads an R2 origin from ORIGIN=r2:<prefix> and the ORIGIN_BUCKET binding', async () => {
    await putImage('public/x.png');
    const origin = workerOrigin(readConfig({ ORIGIN: 'r2:public/' }).origin, { ASSETS: assets, ORIGIN_BUCKET: bucket });
    expect((await origin.fetch('/x.png', {})).status).toBe(200);
  });

  it('is a configuration error without the binding', () => {
    expect(() => workerOrigin(readConfig({ ORIGIN: 'r2:' }).origin, { ASSETS: assets })).toThrow(ConfigError);
  });
});
