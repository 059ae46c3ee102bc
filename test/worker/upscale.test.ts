import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { IMAGE_FORMATS } from '../../src/codec/format';
import { imageResponse, responseSize, serviceApp, TestOrigin } from './harness';

describe('upscale middleware', () => {
  describe.each(IMAGE_FORMATS)('a %s source', (format) => {
    it('comes back twice as wide and high, in the source format', async () => {
      const origin = new TestOrigin({ [`/a.${format}`]: await imageResponse(format, 45, 31) });
      const response = await serviceApp(origin).request(`/a.${format}?upscale=2`);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toBe(`image/${format}`);
      expect(await responseSize(response)).toEqual({ format, width: 90, height: 62 });
    });
  });

  it('converts to the requested format and quality', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 40, 30) });
    const app = serviceApp(origin);
    const low = await app.request('/a.png?upscale=2&format=jpeg&quality=10');
    const high = await app.request('/a.png?upscale=2&format=jpeg&quality=95');
    expect(await responseSize(low.clone())).toEqual({ format: 'jpeg', width: 80, height: 60 });
    expect((await low.arrayBuffer()).byteLength).toBeLessThan((await high.arrayBuffer()).byteLength);
  });

  it('keeps alpha through the upscale (PNG and WebP)', async () => {
    const { decodePng } = await import('../../src/codec/png');
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 32, 24, true) });
    const response = await serviceApp(origin).request('/a.png?upscale=2');
    const image = decodePng(new Uint8Array(await response.arrayBuffer()));
    const alphas = new Set(image.data.filter((_, i) => i % 4 === 3));
    expect(alphas.size).toBeGreaterThan(10); // graded alpha survived, not flattened to 255
  });

  it('negotiates format=auto from Accept and says so with Vary', async () => {
    const origin = new TestOrigin({ '/a.jpeg': await imageResponse('jpeg', 30, 20) });
    const app = serviceApp(origin);
    const webp = await app.request('/a.jpeg?upscale=2&format=auto', { headers: { Accept: 'image/webp,image/*;q=0.8' } });
    const png = await app.request('/a.jpeg?upscale=2&format=auto', { headers: { Accept: 'image/png' } });
    expect(webp.headers.get('Content-Type')).toBe('image/webp');
    expect(webp.headers.get('Vary')).toBe('Accept');
    expect(png.headers.get('Content-Type')).toBe('image/png');
  });

  it('times the stages before its first byte in Server-Timing (the body streams after the headers)', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 20, 20) });
    const response = await serviceApp(origin).request('/a.png?upscale=2');
    const stages = response.headers
      .get('Server-Timing')!
      .split(', ')
      .map((entry) => entry.split(';')[0]);
    expect(stages).toEqual(['fetch', 'download', 'model', 'check', 'decode']);
  });

  it('forwards the origin query without our parameters', async () => {
    const origin = new TestOrigin({ '/a.png?v=2&size=a%20b': await imageResponse('png', 10, 10) });
    const response = await serviceApp(origin).request('/a.png?v=2&upscale=2&size=a%20b');
    expect(response.status).toBe(200);
    expect([...origin.requests.keys()]).toEqual(['/a.png?v=2&size=a%20b']);
  });
});

describe('caching', () => {
  it('misses, stores, then hits without touching the origin again', async () => {
    const origin = new TestOrigin({ '/c.png': await imageResponse('png', 24, 16) });
    const app = serviceApp(origin, { cache: await caches.open('miss-then-hit') });
    const ctx = createExecutionContext();
    const miss = await app.request('https://edge.test/c.png?upscale=2&format=png', {}, {}, ctx);
    const missBytes = new Uint8Array(await miss.arrayBuffer());
    expect(miss.headers.get('Cache-Status')).toBe('wdsr-edge; fwd=uri-miss; stored');
    await waitOnExecutionContext(ctx); // the put runs after the response, in waitUntil
    // Parameters in another order hit the same entry.
    const hit = await app.request('https://edge.test/c.png?format=png&upscale=2');
    expect(hit.headers.get('Cache-Status')).toBe('wdsr-edge; hit');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(missBytes);
    expect(hit.headers.get('ETag')).toBe(miss.headers.get('ETag'));
    expect(origin.requests.get('/c.png')).toBe(1);
  });

  it('answers If-None-Match with 304 on a miss and on a hit', async () => {
    const origin = new TestOrigin({ '/e.png': await imageResponse('png', 16, 16) });
    const app = serviceApp(origin, { cache: await caches.open('conditional') });
    const ctx = createExecutionContext();
    const first = await app.request('https://edge.test/e.png?upscale=2', { headers: { 'If-None-Match': '"stale"' } }, {}, ctx);
    expect(first.status).toBe(200);
    const etag = first.headers.get('ETag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const missRevalidated = await serviceApp(origin).request('/e.png?upscale=2', { headers: { 'If-None-Match': `W/${etag}` } });
    expect(missRevalidated.status).toBe(304);
    expect(missRevalidated.headers.get('ETag')).toBe(etag);
    await waitOnExecutionContext(ctx);
    const revalidated = await app.request('https://edge.test/e.png?upscale=2', { headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('Cache-Status')).toBe('wdsr-edge; hit');
    expect(await revalidated.text()).toBe('');
    const otherTag = await app.request('https://edge.test/e.png?upscale=2', { headers: { 'If-None-Match': '"other"' } });
    expect(otherTag.status).toBe(200);
  });

  it('sets Cache-Control from configuration and bypasses a disabled cache', async () => {
    const origin = new TestOrigin({ '/f.png': await imageResponse('png', 8, 8) });
    const response = await serviceApp(origin, { cacheControl: 'public, max-age=60' }).request('/f.png?upscale=2');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(response.headers.get('Cache-Status')).toBe('wdsr-edge; fwd=bypass');
  });
});

describe('pass-through', () => {
  it('returns the origin response unchanged when no parameter of ours is present', async () => {
    const origin = new TestOrigin({ '/doc.txt?x=1': () => new Response('hello', { status: 203, headers: { 'X-Origin': 'yes' } }) });
    const response = await serviceApp(origin).request('/doc.txt?x=1');
    expect(response.status).toBe(203);
    expect(response.headers.get('X-Origin')).toBe('yes');
    expect(await response.text()).toBe('hello');
  });
});
