import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config';
import { sha256Hex } from '../../src/core/digest';
import { createModelCatalog } from '../../src/core/model-catalog';
import { createOrtRunner } from '../../src/inference/ort-runner';
import { imageResponse, manifest, servedX2Bytes, serviceApp, shippedScales, TestOrigin } from './harness';

/** Every error body is `{"error":{"code","message"}}` and nothing else: no stack, no cause. */
async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/\bat .*:\d+/); // no stack frames
  return body.error.message;
}

afterEach(() => vi.restoreAllMocks());

describe('error responses', () => {
  describe('400 invalid_parameter names the allowed values', () => {
    it.each([
      ['an unknown scale', '/a.png?upscale=5', `upscale must be one of ${shippedScales}`],
      ['a padded scale', '/a.png?upscale=02', `upscale must be one of ${shippedScales}`],
      ['an unknown format', '/a.png?upscale=2&format=gif', 'format must be one of png, jpeg, webp, avif, auto'],
      ['an upper-case format', '/a.png?upscale=2&format=PNG', 'format must be one of png, jpeg, webp, avif, auto'],
      ['quality out of range', '/a.png?upscale=2&format=jpeg&quality=101', 'quality must be an integer from 1 to 100'],
      ['quality zero', '/a.png?upscale=2&format=jpeg&quality=0', 'quality must be an integer from 1 to 100'],
      ['quality for png', '/a.png?upscale=2&format=png&quality=80', 'quality applies to lossy output only'],
      ['quality for a png source', '/a.png?upscale=2&quality=80', 'quality applies to lossy output only'],
      ['a repeated parameter', '/a.png?upscale=2&upscale=2', 'upscale is given 2 times'],
      ['format without upscale or a size', '/a.png?format=webp', `upscale is required (one of ${shippedScales}), or a width or height`],
      ['upscale with a size', '/a.png?upscale=2&height=40', 'upscale sets a scale and height a display size'],
      ['a bad fit', '/a.png?width=40&fit=stretch', 'fit must be one of contain, cover, scale-down'],
    ])('%s', async (_, path, message) => {
      const origin = new TestOrigin({ '/a.png': await imageResponse('png', 8, 8) });
      expect(await expectError(await serviceApp(origin).request(path), 400, 'invalid_parameter')).toContain(message);
    });
  });

  it('400 invalid_path for an encoded slash in the path', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 8, 8) });
    expect(await expectError(await serviceApp(origin).request('/x/..%2Fa.png?upscale=2'), 400, 'invalid_path')).toContain('encoded slashes');
    expect(origin.requests.size).toBe(0);
  });

  it('403 invalid_signature for an unsigned or tampered URL when signing is on', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 8, 8) });
    const app = serviceApp(origin, { signingKeys: ['a-signing-key-for-tests'] });
    expect(await expectError(await app.request('/a.png?upscale=2'), 403, 'invalid_signature')).toBe('this URL must be signed (s=)');
    expect(await expectError(await app.request('/a.png?upscale=2&s=AAAA'), 403, 'invalid_signature')).toBe('the signature does not match this URL');
    expect(origin.requests.size).toBe(0);
  });

  it('404 origin_not_found when the origin has no such image', async () => {
    await expectError(await serviceApp(new TestOrigin({})).request('/missing.png?upscale=2'), 404, 'origin_not_found');
  });

  it('413 source_too_large by Content-Length and by the bytes actually read', async () => {
    const origin = new TestOrigin({
      '/declared.png': await imageResponse('png', 64, 64),
      // A stream has no Content-Length: the limit must hold while reading.
      '/streamed.png': () => new Response(new Blob([new Uint8Array(5000)]).stream()),
    });
    const app = serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceBytes: 1000, wholeSourcePixels: 1 << 20, outputPixels: 1 << 22 } });
    await expectError(await app.request('/declared.png?upscale=2'), 413, 'source_too_large');
    await expectError(await app.request('/streamed.png?upscale=2'), 413, 'source_too_large');
  });

  it('415 unsupported_image for bytes that are not PNG, JPEG or WebP', async () => {
    const origin = new TestOrigin({ '/page.html': () => new Response('<!doctype html><p>hi</p>', { headers: { 'Content-Type': 'text/html' } }) });
    await expectError(await serviceApp(origin).request('/page.html?upscale=2'), 415, 'unsupported_image');
  });

  it('422 malformed_image for a truncated image', async () => {
    const bytes = new Uint8Array(await (await imageResponse('png', 32, 32))().arrayBuffer());
    const origin = new TestOrigin({ '/cut.png': () => new Response(bytes.slice(0, bytes.length / 2)) });
    await expectError(await serviceApp(origin).request('/cut.png?upscale=2'), 422, 'malformed_image');
  });

  it('422 image_too_large for too many source or output pixels, before decoding', async () => {
    const origin = new TestOrigin({ '/big.png': await imageResponse('png', 40, 30) });
    const sourceLimited = serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceBytes: 1 << 20, wholeSourcePixels: 1000, outputPixels: 1 << 22 } });
    const outputLimited = serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceBytes: 1 << 20, wholeSourcePixels: 1 << 20, outputPixels: 4000 } });
    expect(await expectError(await sourceLimited.request('/big.png?upscale=2'), 422, 'image_too_large')).toContain('40x30');
    expect(await expectError(await outputLimited.request('/big.png?upscale=2'), 422, 'image_too_large')).toContain('4000-pixel output limit');
  });

  it('502 origin_error for an origin failure or an unreachable origin', async () => {
    const origin = new TestOrigin({ '/500.png': () => new Response('boom', { status: 500 }), '/down.png': { reject: new TypeError('connection refused') } });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await expectError(await serviceApp(origin).request('/500.png?upscale=2'), 502, 'origin_error')).toContain('500');
    expect(await expectError(await serviceApp(origin).request('/down.png?upscale=2'), 502, 'origin_error')).not.toContain('refused');
  });

  it('503 model_unavailable fails fast after a failed initialisation and logs the cause', async () => {
    const garbage = new TextEncoder().encode('not an onnx model');
    const broken = { ...manifest.models[0]!, sha256: await sha256Hex(garbage), bytes: garbage.byteLength };
    let loads = 0;
    const models = createModelCatalog({ schemaVersion: 1, models: [broken] }, (model) => {
      loads++;
      return createOrtRunner(model, garbage.buffer);
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 8, 8) });
    const app = serviceApp(origin, { models });
    await expectError(await app.request('/a.png?upscale=2'), 503, 'model_unavailable');
    await expectError(await app.request('/a.png?upscale=2'), 503, 'model_unavailable');
    expect(loads).toBe(1);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('503 model_unavailable'), expect.objectContaining({ name: 'ModelUnavailableError' }));
  });

  it('503 model_unavailable when the bundled bytes do not match the manifest checksum', async () => {
    const tampered = servedX2Bytes().slice(0);
    new Uint8Array(tampered)[100]! ^= 1;
    const models = createModelCatalog(manifest, (model) => createOrtRunner(model, tampered));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 8, 8) });
    await expectError(await serviceApp(origin, { models }).request('/a.png?upscale=2'), 503, 'model_unavailable');
  });

  it('422 image_too_large, before any pixel work, when the estimated time is over the deadline', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 64, 64) });
    const message = await expectError(
      await serviceApp(origin, { deadlineMs: 1, tileSize: { default: 16 } }).request('/a.png?upscale=2'),
      422,
      'image_too_large',
    );
    expect(message).toMatch(/would take about 0\.\d s, over this service's 0\.0 s budget/);
  });

  it('503 deadline_exceeded when the deadline passes before the first byte', async () => {
    const image = await imageResponse('png', 64, 64);
    const slowOrigin = { fetch: () => new Promise<Response>((resolve) => setTimeout(() => resolve(image()), 30)) };
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const free = { inferSecondsPerMegapixel: { 2: 0, 3: 0, 4: 0 }, streamSecondsPerMegapixel: 0 };
    await expectError(await serviceApp(slowOrigin, { deadlineMs: 10, cost: free }).request('/a.png?upscale=2'), 503, 'deadline_exceeded');
  });

  it('504 origin_timeout when the origin does not answer in time', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = serviceApp(new TestOrigin({ '/slow.png': 'hang', '/slow.txt': 'hang' }), { originTimeoutMs: 50 });
    await expectError(await app.request('/slow.png?upscale=2'), 504, 'origin_timeout');
    await expectError(await app.request('/slow.txt'), 504, 'origin_timeout');
  });
});
