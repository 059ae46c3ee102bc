import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
// The package as another project imports it (package.json "exports"), not by a relative path.
import { handleError, signUrl, upscale, type Origin } from '../../src/package-entry';
import { imageResponse, responseSize, shippedScales } from './harness';

const image = await imageResponse('png', 30, 20);
// The origin is asked for the request's whole path, mount point included.
const cdn: Origin = { fetch: async (path) => (path === '/images/cat.png' ? image() : new Response('not found', { status: 404 })) };

// Mounted at module scope, as an app would (the default cache is taken here, outside any request).
const app = new Hono();
app.get('/', (c) => c.text('home'));
app.use('/images/*', upscale({ origin: cdn, limits: { outputPixels: 1 << 20 } }));
app.get('/images/*', (c) => c.text("the app's own handler"));
app.onError(handleError);

describe('the package entry (src/package-entry.ts) in a fresh Hono app; test/package runs the packed tarball', () => {
  it('serves renditions on its sub-route, with the shipped model and the default cache', async () => {
    const response = await app.request('https://site.test/images/cat.png?width=45');
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Status')).toMatch(/^wdsr-edge; fwd=uri-miss/);
    expect(await responseSize(response)).toEqual({ format: 'png', width: 45, height: 30 });
  });

  it('leaves requests without rendition parameters, and other routes, to the app', async () => {
    expect(await (await app.request('https://site.test/images/cat.png')).text()).toBe("the app's own handler");
    expect(await (await app.request('https://site.test/?upscale=2')).text()).toBe('home');
  });

  it('renders its errors as JSON through the exported error handler', async () => {
    const response = await app.request('https://site.test/images/cat.png?upscale=5');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_parameter', message: `upscale must be one of ${shippedScales}` } });
  });

  it('requires signatures when given keys', async () => {
    const key = 'a-key-for-the-package-test';
    const signed = new Hono().use('/i/*', upscale({ origin: { fetch: () => Promise.resolve(image()) }, cache: false, signing: { keys: [key] } }));
    expect((await signed.request('https://site.test/i/cat.png?upscale=2')).status).toBe(403);
    expect((await signed.request(await signUrl('https://site.test/i/cat.png?upscale=2', key))).status).toBe(200);
  });

  it('refuses bad options when mounted, not on the first request', () => {
    expect(() => upscale({ origin: cdn, tileSize: 8 })).toThrow('tileSize must be an integer from 16 to 1024');
    expect(() => upscale({ origin: cdn, tileSize: { 3: 8 } })).toThrow('tileSize must be an integer from 16 to 1024, got 8');
    expect(() => upscale({ origin: cdn, tileSize: { x3: 96 } as never })).toThrow('tile sizes are given by scale');
    expect(() => upscale({ origin: cdn, limits: { sourcePixels: 0 } })).toThrow('limits.sourcePixels');
    expect(() => upscale({ origin: cdn, signing: { keys: ['short'] } })).toThrow('at least 16 are required');
    expect(() => upscale({ origin: 'ftp://x' })).toThrow('must be http: or https:');
  });
});
