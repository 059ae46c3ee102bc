import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, signedMessage, signUrl } from '../../src/http/signature';
import { imageResponse, serviceApp, TestOrigin } from './harness';

const NEW_KEY = 'new-key-9f2c4a7e1b3d5f60';
const OLD_KEY = 'old-key-0a1b2c3d4e5f6789';
const OTHER_KEY = 'not-a-key-of-this-service';

async function signedApp(options: { cache?: Cache } = {}) {
  const origin = new TestOrigin({
    '/a.png': await imageResponse('png', 16, 12),
    '/a.png?v=1': await imageResponse('png', 16, 12),
    '/plain.txt': () => new Response('plain'),
  });
  return { origin, app: serviceApp(origin, { signingKeys: [NEW_KEY, OLD_KEY], cache: options.cache }) };
}

/** A URL with its query parameters in another order, the signature kept. */
function reordered(url: string): string {
  const parsed = new URL(url);
  const pairs = parsed.search.slice(1).split('&').reverse();
  return `${parsed.origin}${parsed.pathname}?${pairs.join('&')}`;
}

describe('signed URLs', () => {
  it.each([
    ['signed with the current key', NEW_KEY],
    ['signed with the previous key (rotation)', OLD_KEY],
  ])('serves a URL %s', async (_, key) => {
    const { app } = await signedApp();
    const response = await app.request(await signUrl('https://edge.test/a.png?width=20&format=webp', key));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/webp');
  });

  it('accepts our parameters in any order', async () => {
    const { app } = await signedApp();
    const url = await signUrl('https://edge.test/a.png?v=1&upscale=2&format=png', NEW_KEY);
    expect((await app.request(reordered(url))).status).toBe(200);
  });

  it.each([
    ['no signature', async () => 'https://edge.test/a.png?upscale=2'],
    ['a key the service does not have', () => signUrl('https://edge.test/a.png?upscale=2', OTHER_KEY)],
    ['a changed parameter', async () => (await signUrl('https://edge.test/a.png?width=20', NEW_KEY)).replace('width=20', 'width=2000')],
    ['an added parameter', async () => (await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY)).replace('?', '?format=webp&')],
    ['an added origin parameter', async () => (await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY)).replace('?', '?v=1&')],
    ['another path', async () => (await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY)).replace('/a.png', '/b.png')],
    ['a truncated signature', async () => (await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY)).slice(0, -1)],
    [
      'a signature given twice',
      async () => {
        const url = await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY);
        return `${url}&s=${new URL(url).searchParams.get('s')}`;
      },
    ],
    ['a non-base64url signature', async () => 'https://edge.test/a.png?upscale=2&s=%2B%2F%3D'],
  ])('refuses %s with 403, before fetching anything', async (_, makeUrl) => {
    const { app, origin } = await signedApp();
    const response = await app.request(await makeUrl());
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    expect(origin.requests.size).toBe(0);
  });

  it('checks the signature before serving from the cache', async () => {
    const { app } = await signedApp({ cache: await caches.open('signed') });
    const ctx = createExecutionContext();
    const signed = await signUrl('https://edge.test/a.png?upscale=2', NEW_KEY);
    expect((await app.request(signed, {}, {}, ctx)).headers.get('Cache-Status')).toContain('stored');
    await waitOnExecutionContext(ctx);
    expect((await app.request(signed)).headers.get('Cache-Status')).toBe('wdsr-edge; hit');
    expect((await app.request('https://edge.test/a.png?upscale=2')).status).toBe(403);
  });

  it('needs no signature for requests that ask for no rendition (pass-through)', async () => {
    const { app } = await signedApp();
    expect(await (await app.request('https://edge.test/plain.txt')).text()).toBe('plain');
  });

  it('with signing off, ignores a signature and never forwards it to the origin', async () => {
    const origin = new TestOrigin({ '/a.png?v=1': await imageResponse('png', 8, 8) });
    const response = await serviceApp(origin).request('/a.png?v=1&s=anything&upscale=2');
    expect(response.status).toBe(200);
    expect([...origin.requests.keys()]).toEqual(['/a.png?v=1']);
  });
});

describe('signUrl and signedMessage', () => {
  it('covers the path, the origin query as written, and our parameters in a fixed order', () => {
    expect(signedMessage(new URL('https://edge.test/p/a.png?name=a%20b+c&format=webp&s=x&width=10&v=2'))).toBe(
      '/p/a.png?name=a%20b+c&v=2&width=10&format=webp',
    );
    expect(signedMessage(new URL('https://edge.test/a.png'))).toBe('/a.png');
  });

  it('keeps the origin query byte for byte, replaces an old signature, and is deterministic', async () => {
    const url = await signUrl('https://edge.test/a.png?name=a%20b+c&s=old&upscale=2', NEW_KEY);
    expect(url).toMatch(/^https:\/\/edge\.test\/a\.png\?name=a%20b\+c&upscale=2&s=[A-Za-z0-9_-]{43}$/);
    expect(await signUrl('https://edge.test/a.png?name=a%20b+c&upscale=2', NEW_KEY)).toBe(url);
    expect(await signUrl('https://edge.test/a.png?name=a%20b+c&upscale=2', OLD_KEY)).not.toBe(url);
  });
});

describe('constantTimeEqual', () => {
  it.each([
    ['equal bytes', [1, 2, 3], [1, 2, 3], true],
    ['a difference in the last byte', [1, 2, 3], [1, 2, 4], false],
    ['a difference in the first byte', [0, 2, 3], [1, 2, 3], false],
    ['different lengths', [1, 2], [1, 2, 3], false],
    ['both empty', [], [], true],
  ])('%s', (_, a, b, expected) => {
    expect(constantTimeEqual(Uint8Array.from(a), Uint8Array.from(b))).toBe(expected);
  });
});
