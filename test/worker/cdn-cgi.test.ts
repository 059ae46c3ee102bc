import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config';
import { canonicalUrl, cdnCgiImage, parseCdnCgiPath } from '../../src/http/cdn-cgi';
import { ServiceError } from '../../src/http/errors';
import { handleError } from '../../src/http/handle-error';
import { parseUpscaleParams } from '../../src/http/params';
import { passthrough } from '../../src/http/passthrough';
import { signUrl } from '../../src/http/signature';
import { serveRenditions, type RenditionServiceOptions } from '../../src/http/renditions';
import { codecs, imageResponse, models, responseSize, TestOrigin } from './harness';

const KEY = 'cdn-cgi-key-5e7a91c3d2b4f608';

/** Throws from `run`, as the error (a test failure when nothing is thrown). */
function thrown(run: () => unknown): ServiceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return error as ServiceError;
  }
  throw new Error('nothing was thrown');
}

/** `serviceApp` (test/worker/harness.ts) with the cdn-cgi middleware mounted before the upscale middleware, as src/index.ts does. */
function cdnApp(origin: TestOrigin, overrides: Partial<RenditionServiceOptions> = {}): Hono {
  const app = new Hono();
  app.use('*', cdnCgiImage());
  app.use('*', serveRenditions({ ...DEFAULT_CONFIG, origin: () => origin, models, codecs, cache: undefined, ...overrides }));
  app.all('*', passthrough({ origin: () => origin, timeoutMs: DEFAULT_CONFIG.originTimeoutMs }));
  app.onError(handleError);
  return app;
}

async function testOrigin(): Promise<TestOrigin> {
  const png = await imageResponse('png', 16, 12);
  return new TestOrigin({ '/photos/cat.png': png, '/photos/cat.png?v=2': png, '/plain.txt': () => new Response('plain') });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...error };
}

describe('parseCdnCgiPath', () => {
  const entries = (path: string) => {
    const parsed = parseCdnCgiPath(path)!;
    return { sourcePath: parsed.sourcePath, params: [...parsed.params] };
  };

  it.each([
    ['a path without the prefix', '/photos/cat.jpg'],
    ['the prefix without its slash', '/cdn-cgi/image'],
    ['a longer first segment', '/cdn-cgi/images/w=10/a.png'],
    ['another case', '/CDN-CGI/image/w=10/a.png'],
  ])('leaves %s alone', (_, path) => {
    expect(parseCdnCgiPath(path)).toBeUndefined();
  });

  it.each([
    [
      'full names',
      '/cdn-cgi/image/width=640,format=auto/photos/cat.jpg',
      '/photos/cat.jpg',
      [
        ['width', '640'],
        ['format', 'auto'],
      ],
    ],
    [
      'short names',
      '/cdn-cgi/image/w=30,h=20,q=70,f=jpeg/a.png',
      '/a.png',
      [
        ['width', '30'],
        ['height', '20'],
        ['quality', '70'],
        ['format', 'jpeg'],
      ],
    ],
    [
      'our fits and dpr',
      '/cdn-cgi/image/fit=scale-down,dpr=1.5,w=9/a.png',
      '/a.png',
      [
        ['fit', 'scale-down'],
        ['dpr', '1.5'],
        ['width', '9'],
      ],
    ],
    ['upscale', '/cdn-cgi/image/upscale=2/deep/er/a.png', '/deep/er/a.png', [['upscale', '2']]],
    [
      'an alias and its name (kept, for the validator to refuse)',
      '/cdn-cgi/image/w=1,width=2/a.png',
      '/a.png',
      [
        ['width', '1'],
        ['width', '2'],
      ],
    ],
    ['percent-encoded names and values', '/cdn-cgi/image/%77=6%340/a.png', '/a.png', [['width', '640']]],
    [
      'bad values, untouched (validated later)',
      '/cdn-cgi/image/w=abc,fit=fill/a.png',
      '/a.png',
      [
        ['width', 'abc'],
        ['fit', 'fill'],
      ],
    ],
    ['a source path kept as written', '/cdn-cgi/image/w=1/caf%C3%A9/a%20b.png', '/caf%C3%A9/a%20b.png', [['width', '1']]],
  ])('parses %s', (_, path, sourcePath, params) => {
    expect(entries(path)).toEqual({ sourcePath, params });
  });

  it.each([
    ['an empty option list', '/cdn-cgi/image//a.png', 'invalid_parameter', 'give at least one option after /cdn-cgi/image/'],
    ['an option without a value', '/cdn-cgi/image/width/a.png', 'invalid_parameter', 'options are name=value pairs; "width" is not'],
    ['an option without a name', '/cdn-cgi/image/=5/a.png', 'invalid_parameter', '"=5" is not'],
    ['an empty option', '/cdn-cgi/image/w=1,,h=2/a.png', 'invalid_parameter', 'an empty option was given'],
    ['a trailing comma', '/cdn-cgi/image/w=1,/a.png', 'invalid_parameter', 'an empty option was given'],
    ['a malformed escape', '/cdn-cgi/image/w=%zz/a.png', 'invalid_parameter', 'option "w=%zz" has a malformed percent-encoding'],
    [
      'gravity',
      '/cdn-cgi/image/w=10,gravity=auto/a.png',
      'invalid_parameter',
      "gravity is not supported: this service does not offer Cloudflare Images' gravity option",
    ],
    ['gravity as g', '/cdn-cgi/image/g=face,w=10/a.png', 'invalid_parameter', 'g (gravity) is not supported'],
    ['sharpen', '/cdn-cgi/image/sharpen=1/a.png', 'invalid_parameter', 'sharpen is not supported'],
    ['blur', '/cdn-cgi/image/blur=50/a.png', 'invalid_parameter', 'blur is not supported'],
    ['rotate', '/cdn-cgi/image/rotate=90/a.png', 'invalid_parameter', 'rotate is not supported'],
    ['background', '/cdn-cgi/image/background=%23fff/a.png', 'invalid_parameter', 'background is not supported'],
    ['anim', '/cdn-cgi/image/anim=false/a.png', 'invalid_parameter', 'anim is not supported'],
    ['metadata', '/cdn-cgi/image/metadata=none/a.png', 'invalid_parameter', 'metadata is not supported'],
    ['onerror', '/cdn-cgi/image/onerror=redirect/a.png', 'invalid_parameter', 'onerror is not supported'],
    ['trim', '/cdn-cgi/image/trim=border/a.png', 'invalid_parameter', 'trim is not supported'],
    ['trim.left', '/cdn-cgi/image/trim.left=10/a.png', 'invalid_parameter', 'trim.left (trim) is not supported'],
    ['slow-connection-quality as scq', '/cdn-cgi/image/scq=50/a.png', 'invalid_parameter', 'scq (slow-connection-quality) is not supported'],
    ['fit=crop', '/cdn-cgi/image/w=10,fit=crop/a.png', 'invalid_parameter', 'fit=crop is not supported; fit must be one of contain, cover, scale-down'],
    ['fit=pad', '/cdn-cgi/image/w=10,fit=pad/a.png', 'invalid_parameter', 'fit=pad is not supported'],
    [
      'an unknown option',
      '/cdn-cgi/image/w=10,colour=red/a.png',
      'invalid_parameter',
      'colour is not a supported option; the options are width (w), height (h), fit, dpr, format (f), quality (q) and upscale',
    ],
    ['another case', '/cdn-cgi/image/Width=10/a.png', 'invalid_parameter', 'Width is not a supported option'],
    ['the signature as an option', '/cdn-cgi/image/w=10,s=abc/a.png', 'invalid_parameter', 's is not an option: the signature goes in the query string (?s=)'],
    ['no source path', '/cdn-cgi/image/w=10', 'invalid_path', 'the source path after /cdn-cgi/image/<options> is empty'],
    ['an empty source path', '/cdn-cgi/image/w=10/', 'invalid_path', 'is empty'],
    ['a source path of slashes', '/cdn-cgi/image/w=10///', 'invalid_path', 'is empty'],
    ['a source URL', '/cdn-cgi/image/w=10/https://elsewhere.example/a.png', 'invalid_path', 'source URLs (http:, https:) are not supported'],
    ['a nested cdn-cgi path', '/cdn-cgi/image/w=10//cdn-cgi/image/w=20/a.png', 'invalid_path', 'the source path cannot itself start with /cdn-cgi/image/'],
  ])('refuses %s with a 400 naming it', (_, path, code, message) => {
    const error = thrown(() => parseCdnCgiPath(path));
    expect(error).toMatchObject({ status: 400, code });
    expect(error.message).toContain(message);
  });

  it('takes another prefix', () => {
    expect(parseCdnCgiPath('/img/w=5/a.png', '/img/')).toMatchObject({ sourcePath: '/a.png' });
    expect(parseCdnCgiPath('/cdn-cgi/image/w=5/a.png', '/img/')).toBeUndefined();
  });
});

describe("the options go through the query form's one validator", () => {
  // Each pair is one request in both spellings: the same parse, or the same 400.
  it.each([
    ['w=640,f=auto', 'width=640&format=auto'],
    ['h=480,fit=cover,w=640,dpr=2,q=80,f=webp', 'width=640&height=480&fit=cover&dpr=2&quality=80&format=webp'],
    ['upscale=4,format=png', 'upscale=4&format=png'],
    ['w=1,width=2', 'width=1&width=2'],
    ['f=png,format=webp,w=1', 'format=png&format=webp&width=1'],
    ['w=0', 'width=0'],
    ['w=16384', 'width=16384'],
    ['w=10,fit=fill', 'width=10&fit=fill'],
    ['w=10,q=high', 'width=10&quality=high'],
    ['w=10,f=avif', 'width=10&format=avif'],
    ['w=10,f=png,q=50', 'width=10&format=png&quality=50'],
    ['upscale=2,w=10', 'upscale=2&width=10'],
    ['upscale=3', 'upscale=3'],
    ['f=auto', 'format=auto'],
    ['dpr=2', 'dpr=2'],
  ])('%s is %s', (options, query) => {
    const parse = (params: URLSearchParams) => {
      try {
        return parseUpscaleParams(params, [2, 4]);
      } catch (error) {
        return { error: (error as ServiceError).message, status: (error as ServiceError).status };
      }
    };
    expect(parse(parseCdnCgiPath(`/cdn-cgi/image/${options}/a.png`)!.params)).toEqual(parse(new URLSearchParams(query)));
  });

  it('answers a repeated option the way the query form does', () => {
    expect(thrown(() => parseUpscaleParams(parseCdnCgiPath('/cdn-cgi/image/w=1,width=2/a.png')!.params, [2, 4])).message).toBe(
      'width is given 2 times; give it once',
    );
  });
});

describe('canonicalUrl', () => {
  it.each([
    ['the options after the source path', 'https://e.dev/cdn-cgi/image/w=10,f=webp/a.png', 'https://e.dev/a.png?width=10&format=webp'],
    ['the origin query kept as written, first', 'https://e.dev/cdn-cgi/image/w=10/a.png?v=2&n=a%20b+c', 'https://e.dev/a.png?v=2&n=a%20b+c&width=10'],
    ['the signature kept', 'https://e.dev/cdn-cgi/image/upscale=2/a.png?s=abc', 'https://e.dev/a.png?s=abc&upscale=2'],
    ['double slashes kept (originPath collapses them, as for the query form)', 'https://e.dev/cdn-cgi/image/w=1//a.png', 'https://e.dev//a.png?width=1'],
  ])('writes %s', (_, url, expected) => {
    expect(canonicalUrl(new URL(url))!.href).toBe(expected);
  });

  it('is undefined for other paths', () => {
    expect(canonicalUrl(new URL('https://e.dev/a.png?width=10'))).toBeUndefined();
  });

  it.each([
    ['width', 'https://e.dev/cdn-cgi/image/w=10/a.png?width=20', 'width is given in the query of a /cdn-cgi/image/ URL'],
    ['an encoded upscale and a format', 'https://e.dev/cdn-cgi/image/w=10/a.png?%75pscale=2&format=png', 'upscale, format are given in the query'],
  ])('refuses our parameters in the query (%s)', (_, url, message) => {
    const error = thrown(() => canonicalUrl(new URL(url)));
    expect(error).toMatchObject({ status: 400, code: 'invalid_parameter' });
    expect(error.message).toContain(message);
  });
});

describe('cdnCgiImage()', () => {
  it.each([['img'], ['/img'], ['img/'], ['/'], ['/a//b/'], ['/a?b/']])('refuses the prefix %s when created', (prefix) => {
    expect(() => cdnCgiImage({ prefix })).toThrow('must be a path with a leading and a trailing slash');
  });

  it('serves exactly what the query form serves: same bytes, ETag and headers, same origin request', async () => {
    const origin = await testOrigin();
    const app = cdnApp(origin);
    const viaPath = await app.request('https://edge.test/cdn-cgi/image/width=40,format=webp/photos/cat.png');
    const viaQuery = await app.request('https://edge.test/photos/cat.png?width=40&format=webp');
    expect(viaPath.status).toBe(200);
    expect(viaPath.headers.get('Content-Type')).toBe('image/webp');
    expect(viaPath.headers.get('ETag')).toBe(viaQuery.headers.get('ETag'));
    const [pathBytes, queryBytes] = [new Uint8Array(await viaPath.arrayBuffer()), new Uint8Array(await viaQuery.arrayBuffer())];
    expect(pathBytes).toEqual(queryBytes);
    expect([...origin.requests]).toEqual([['/photos/cat.png', 2]]);
  });

  it('shares the cache entry with the query form: either spelling after the other is a hit', async () => {
    const origin = await testOrigin();
    const app = cdnApp(origin, { cache: await caches.open('cdn-cgi-equivalence') });
    const ctx = createExecutionContext();
    const first = await app.request('https://edge.test/photos/cat.png?v=2&width=24&height=24&fit=cover&quality=70&format=jpeg', {}, {}, ctx);
    expect(first.headers.get('Cache-Status')).toContain('stored');
    await first.arrayBuffer();
    await waitOnExecutionContext(ctx);
    const hit = await app.request('https://edge.test/cdn-cgi/image/f=jpeg,q=70,fit=cover,h=24,w=24/photos/cat.png?v=2');
    expect(hit.headers.get('Cache-Status')).toBe('wdsr-edge; hit');
    expect(hit.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(await responseSize(hit)).toEqual({ format: 'jpeg', width: 24, height: 24 });
    expect([...origin.requests]).toEqual([['/photos/cat.png?v=2', 1]]);
  });

  it('negotiates format=auto from Accept, with Vary: Accept, like the query form', async () => {
    const app = cdnApp(await testOrigin());
    for (const [accept, format] of [
      ['image/webp', 'webp'],
      ['image/png', 'png'],
      ['image/jpeg', 'jpeg'],
    ] as const) {
      const viaPath = await app.request('https://edge.test/cdn-cgi/image/w=20,f=auto/photos/cat.png', { headers: { Accept: accept } });
      const viaQuery = await app.request('https://edge.test/photos/cat.png?width=20&format=auto', { headers: { Accept: accept } });
      expect(viaPath.status).toBe(200);
      expect(viaPath.headers.get('Vary')).toBe('Accept');
      expect(viaPath.headers.get('ETag')).toBe(viaQuery.headers.get('ETag'));
      expect(await responseSize(viaPath)).toEqual({ format, width: 20, height: 15 });
    }
  });

  it.each([
    [
      'an unsupported option',
      '/cdn-cgi/image/w=10,blur=5/photos/cat.png',
      { code: 'invalid_parameter', message: "blur is not supported: this service does not offer Cloudflare Images' blur option" },
    ],
    [
      'an unsupported fit',
      '/cdn-cgi/image/w=10,fit=pad/photos/cat.png',
      { code: 'invalid_parameter', message: 'fit=pad is not supported; fit must be one of contain, cover, scale-down' },
    ],
    ['a repeated option', '/cdn-cgi/image/w=1,width=2/photos/cat.png', { code: 'invalid_parameter', message: 'width is given 2 times; give it once' }],
    ['a bad value', '/cdn-cgi/image/q=high,w=10/photos/cat.png', { code: 'invalid_parameter', message: 'quality must be an integer from 1 to 100' }],
    [
      'an option that is not name=value',
      '/cdn-cgi/image/w=10,webp/photos/cat.png',
      { code: 'invalid_parameter', message: 'options are name=value pairs; "webp" is not' },
    ],
    ['an empty source path', '/cdn-cgi/image/w=10/', { code: 'invalid_path', message: 'the source path after /cdn-cgi/image/<options> is empty' }],
    [
      'an encoded slash in the source path',
      '/cdn-cgi/image/w=10/photos%2F..%2Fsecret.png',
      { code: 'invalid_path', message: 'encoded slashes, backslashes and NUL bytes are not allowed in the path' },
    ],
  ])('answers %s with a JSON 400, fetching nothing', async (_, path, expected) => {
    const origin = await testOrigin();
    const response = await cdnApp(origin).request(`https://edge.test${path}`);
    expect(await errorOf(response)).toEqual({ status: 400, ...expected });
    expect(origin.requests.size).toBe(0);
  });

  it("keeps the source path's query for the origin", async () => {
    const origin = await testOrigin();
    const response = await cdnApp(origin).request('https://edge.test/cdn-cgi/image/w=8/photos/cat.png?v=2');
    expect(await responseSize(response)).toEqual({ format: 'png', width: 8, height: 6 });
    expect([...origin.requests.keys()]).toEqual(['/photos/cat.png?v=2']);
  });

  it('leaves other paths to the next handlers untouched', async () => {
    const origin = await testOrigin();
    const app = cdnApp(origin);
    expect(await (await app.request('https://edge.test/plain.txt')).text()).toBe('plain');
    expect((await app.request('https://edge.test/cdn-cgi/imagery/w=1/plain.txt')).status).toBe(404);
    expect([...origin.requests.keys()]).toEqual(['/plain.txt', '/cdn-cgi/imagery/w=1/plain.txt']);
  });

  it('works mounted on its own route with the upscale middleware, beside a sub-route', async () => {
    const origin = await testOrigin();
    const render = serveRenditions({ ...DEFAULT_CONFIG, origin: () => origin, models, codecs, cache: undefined });
    const app = new Hono();
    app.use('/photos/*', render);
    app.use('/cdn-cgi/image/*', cdnCgiImage(), render);
    app.onError(handleError);
    const response = await app.request('https://edge.test/cdn-cgi/image/w=8/photos/cat.png');
    expect(await responseSize(response)).toEqual({ format: 'png', width: 8, height: 6 });
  });

  it('takes another prefix', async () => {
    const origin = await testOrigin();
    const app = new Hono();
    app.use('*', cdnCgiImage({ prefix: '/img/' }), serveRenditions({ ...DEFAULT_CONFIG, origin: () => origin, models, codecs, cache: undefined }));
    app.onError(handleError);
    expect(await responseSize(await app.request('https://edge.test/img/w=8/photos/cat.png'))).toEqual({ format: 'png', width: 8, height: 6 });
  });
});

describe('signed Cloudflare-style URLs', () => {
  const signedApp = async () => {
    const origin = await testOrigin();
    return { origin, app: cdnApp(origin, { signingKeys: [KEY] }) };
  };

  it('sign the query form they stand for: both spellings carry the same s, whatever the names and order', async () => {
    const viaPath = await signUrl('https://edge.test/cdn-cgi/image/w=20,f=webp/photos/cat.png?v=2', KEY);
    const viaQuery = await signUrl('https://edge.test/photos/cat.png?v=2&format=webp&width=20', KEY);
    expect(viaPath).toMatch(/^https:\/\/edge\.test\/cdn-cgi\/image\/w=20,f=webp\/photos\/cat\.png\?v=2&s=[A-Za-z0-9_-]{43}$/);
    const s = new URL(viaPath).searchParams.get('s');
    expect(new URL(viaQuery).searchParams.get('s')).toBe(s);
    expect(new URL(await signUrl('https://edge.test/cdn-cgi/image/format=webp,width=20/photos/cat.png?v=2', KEY)).searchParams.get('s')).toBe(s);
    // Signed literally, the path would be a different message.
    expect(
      new URL(await signUrl('https://edge.test/cdn-cgi/image/w=20,f=webp/photos/cat.png?v=2', KEY, { cdnCgiPrefix: false })).searchParams.get('s'),
    ).not.toBe(s);
  });

  it('signUrl refuses options that cannot be served', async () => {
    await expect(signUrl('https://edge.test/cdn-cgi/image/w=20,blur=3/photos/cat.png', KEY)).rejects.toThrow('blur is not supported');
  });

  it('serves a validly signed URL, and one signed in the query form', async () => {
    const { app } = await signedApp();
    const signed = await app.request(await signUrl('https://edge.test/cdn-cgi/image/w=20,f=webp/photos/cat.png', KEY));
    expect(signed.status).toBe(200);
    expect(signed.headers.get('Content-Type')).toBe('image/webp');
    const s = new URL(await signUrl('https://edge.test/photos/cat.png?width=20&format=webp', KEY)).searchParams.get('s')!;
    expect((await app.request(`https://edge.test/cdn-cgi/image/width=20,format=webp/photos/cat.png?s=${s}`)).status).toBe(200);
  });

  it.each([
    ['no signature', async () => 'https://edge.test/cdn-cgi/image/w=20/photos/cat.png', 'this URL must be signed (s=)'],
    [
      'a changed option',
      async () => (await signUrl('https://edge.test/cdn-cgi/image/w=20/photos/cat.png', KEY)).replace('w=20', 'w=2000'),
      'the signature does not match this URL',
    ],
    [
      'an added option',
      async () => (await signUrl('https://edge.test/cdn-cgi/image/w=20/photos/cat.png', KEY)).replace('w=20', 'w=20,f=webp'),
      'the signature does not match this URL',
    ],
    [
      'another source path',
      async () => (await signUrl('https://edge.test/cdn-cgi/image/w=20/photos/cat.png', KEY)).replace('/cat.png', '/dog.png'),
      'the signature does not match this URL',
    ],
    [
      'an added origin parameter',
      async () => (await signUrl('https://edge.test/cdn-cgi/image/w=20/photos/cat.png', KEY)).replace('?', '?v=2&'),
      'the signature does not match this URL',
    ],
    [
      'a tampered signature',
      async () => `${(await signUrl('https://edge.test/cdn-cgi/image/w=20/photos/cat.png', KEY)).slice(0, -2)}AA`,
      'the signature does not match this URL',
    ],
  ])('refuses %s with 403, fetching nothing', async (_, makeUrl, message) => {
    const { app, origin } = await signedApp();
    const response = await app.request(await makeUrl());
    expect(await errorOf(response)).toEqual({ status: 403, code: 'invalid_signature', message });
    expect(origin.requests.size).toBe(0);
  });
});

describe('the shipped Worker', () => {
  it('serves Cloudflare-style URLs as the query form', async () => {
    const viaPath = await SELF.fetch('https://edge.test/cdn-cgi/image/w=96/samples/text-card.jpg');
    const viaQuery = await SELF.fetch('https://edge.test/samples/text-card.jpg?width=96');
    expect(viaPath.status).toBe(200);
    expect(viaPath.headers.get('ETag')).toBe(viaQuery.headers.get('ETag'));
    expect(await responseSize(viaPath)).toEqual({ format: 'jpeg', width: 96, height: 56 });
    await viaQuery.arrayBuffer();
  });
});
