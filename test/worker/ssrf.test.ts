import { describe, expect, it } from 'vitest';
import { bindingOrigin, MAX_REDIRECTS, originPath, urlPrefixOrigin } from '../../src/http/origin';
import { imageResponse, serviceApp } from './harness';

const PREFIX = 'https://img.test/base';

/**
 * The network as the Worker sees it: every URL it asks for is recorded, and `answer` decides the
 * reply. It stands in for the internet, which tests cannot reach; whatever host a URL names, the
 * record shows whether the Worker tried to contact it.
 */
function network(answer: (url: string) => Response) {
  const requested: string[] = [];
  const fetcher = (async (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    requested.push(url);
    return answer(url);
  }) as typeof fetch;
  return { requested, app: serviceApp(urlPrefixOrigin(PREFIX, fetcher)) };
}

const redirect = (location: string) => new Response(null, { status: 302, headers: { Location: location } });

describe('SSRF: only the configured origin is ever fetched', () => {
  describe.each([
    ['upscale', '?upscale=2'],
    ['pass-through', ''],
  ])('%s requests', (_, query) => {
    it.each([
      ['an absolute URL as the path', 'https://edge.test/https://evil.test/a.png', `${PREFIX}/https:/evil.test/a.png`],
      ['a network-path reference (//host)', 'https://edge.test//evil.test/a.png', `${PREFIX}/evil.test/a.png`],
      ['many slashes', 'https://edge.test////evil.test/a.png', `${PREFIX}/evil.test/a.png`],
      ['an @ after the host', 'https://edge.test/@evil.test/a.png', `${PREFIX}/@evil.test/a.png`],
      ['dot segments climbing out of the prefix', 'https://edge.test/a/../../../secret.png', `${PREFIX}/secret.png`],
      ['encoded dot segments', 'https://edge.test/a/%2e%2e/%2E%2E/secret.png', `${PREFIX}/secret.png`],
      ['backslashes', 'https://edge.test/a\\..\\..\\secret.png', `${PREFIX}/secret.png`],
    ])('%s stays under the prefix', async (_, url, fetched) => {
      const { requested, app } = network(() => new Response('not found', { status: 404 }));
      await app.request(url + query);
      expect(requested).toEqual([fetched]);
    });

    it.each([
      ['an encoded slash', 'https://edge.test/a/..%2F..%2Fsecret.png'],
      ['an encoded backslash', 'https://edge.test/a/..%5c..%5Csecret.png'],
      ['an encoded NUL', 'https://edge.test/a.png%00.txt'],
      ['an encoded slash before a host', 'https://edge.test/%2F%2Fevil.test/a.png'],
    ])('%s is refused with 400 and nothing is fetched', async (_, url) => {
      const { requested, app } = network(() => new Response('never'));
      const response = await app.request(url + query);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_path');
      expect(requested).toEqual([]);
    });
  });

  it('sends a URL in the query to the configured origin only', async () => {
    const { requested, app } = network(() => new Response('x'));
    await app.request('https://edge.test/a.png?url=https://evil.test/&upscale=2');
    expect(requested).toEqual([`${PREFIX}/a.png?url=https://evil.test/`]);
  });

  describe('redirects from the origin (source fetches)', () => {
    it.each([
      ['another host', 'https://evil.test/a.png'],
      ['a network-path reference', '//evil.test/a.png'],
      ['the same host outside the prefix', '/private/a.png'],
      ["a host that merely starts with the origin's", 'https://img.test.evil.test/base/a.png'],
      ['userinfo that looks like the origin', 'https://img.test@evil.test/base/a.png'],
      ['another scheme', 'http://img.test/base/a.png'],
      ['a metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ])('to %s: refused with 502, never contacted', async (_, location) => {
      const { requested, app } = network(() => redirect(location));
      const response = await app.request('https://edge.test/a.png?upscale=2');
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe('the origin redirected outside itself');
      expect(requested).toEqual([`${PREFIX}/a.png`]);
    });

    it.each([
      ['an absolute URL', `${PREFIX}/moved/a.png`],
      ['a relative reference', 'moved/a.png'],
    ])('to %s under the prefix: followed', async (_, location) => {
      const image = await imageResponse('png', 8, 8);
      const { requested, app } = network((url) => (url === `${PREFIX}/moved/a.png` ? image() : redirect(location)));
      const response = await app.request('https://edge.test/a.png?upscale=2');
      expect(response.status).toBe(200);
      expect(requested).toEqual([`${PREFIX}/a.png`, `${PREFIX}/moved/a.png`]);
    });

    it(`in a loop: given up after ${MAX_REDIRECTS} hops`, async () => {
      const { requested, app } = network(() => redirect(`${PREFIX}/a.png`));
      const response = await app.request('https://edge.test/a.png?upscale=2');
      expect(response.status).toBe(502);
      expect(requested).toHaveLength(MAX_REDIRECTS + 1);
    });

    it('are handed to the client, not followed, on pass-through', async () => {
      const { requested, app } = network(() => redirect('https://evil.test/a.png'));
      const response = await app.request('https://edge.test/a.png');
      expect(response.status).toBe(302);
      expect(response.headers.get('Location')).toBe('https://evil.test/a.png');
      expect(requested).toEqual([`${PREFIX}/a.png`]);
    });
  });

  it('keeps binding origins on their placeholder host', async () => {
    const urls: string[] = [];
    const binding = {
      fetch: async (request: Request) => {
        urls.push(request.url);
        return new Response('x');
      },
    } as unknown as Fetcher;
    await bindingOrigin(binding).fetch(originPath(new URL('https://edge.test//evil.test/a.png')), {});
    await expect(bindingOrigin(binding).fetch('/../../x', {})).resolves.toBeInstanceOf(Response);
    expect(urls).toEqual(['https://origin.invalid/evil.test/a.png', 'https://origin.invalid/x']);
  });
});
