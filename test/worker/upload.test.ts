import { SELF } from 'cloudflare:test';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config';
import { handleError } from '../../src/http/handle-error';
import { UPLOAD_PATH } from '../../src/http/routes';
import { signUrl } from '../../src/http/signature';
import { upload, type UploadOptions } from '../../src/http/upload';
import { codecs, imageResponse, models, responseSize, serviceApp, shippedScales, TestOrigin } from './harness';

/** The upload route as the shipped Worker mounts it, with the default limits unless overridden. */
function uploadApp(overrides: Partial<UploadOptions> = {}): Hono {
  const app = new Hono();
  app.post(UPLOAD_PATH, upload({ ...DEFAULT_CONFIG, models, codecs, ...overrides }));
  app.onError(handleError);
  return app;
}

async function pngBytes(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await (await imageResponse('png', width, height))().arrayBuffer());
}

function post(app: Hono, query: string, body: BodyInit | null, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.request(`${UPLOAD_PATH}${query}`, { method: 'POST', body, headers }));
}

async function expectErrorCode(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  return error.message;
}

afterEach(() => vi.restoreAllMocks());

describe('upload route', () => {
  it('upscales the posted image, unstored, with the timings of the stages before its body', async () => {
    const response = await post(uploadApp(), '?upscale=2', await pngBytes(37, 23), { 'Content-Type': 'application/octet-stream' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/png');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('Server-Timing')).toMatch(/fetch;dur=.*decode;dur=/); // the stages before the streamed body
    expect(await responseSize(response)).toEqual({ format: 'png', width: 74, height: 46 });
  });

  it('answers byte for byte what GET ?upscale= answers for the same image at an origin', async () => {
    const bytes = await pngBytes(40, 28);
    const origin = new TestOrigin({ '/a.png': () => new Response(bytes) });
    const viaOrigin = await serviceApp(origin).request('/a.png?upscale=2&format=webp&quality=70');
    const viaUpload = await post(uploadApp(), '?upscale=2&format=webp&quality=70', bytes);
    expect(viaUpload.status).toBe(200);
    expect(new Uint8Array(await viaUpload.arrayBuffer())).toEqual(new Uint8Array(await viaOrigin.arrayBuffer()));
  });

  it('makes display-size renditions too (width, height, fit)', async () => {
    const response = await post(uploadApp(), '?width=60&height=60&fit=cover', await pngBytes(40, 28));
    expect(response.status).toBe(200);
    expect(await responseSize(response)).toEqual({ format: 'png', width: 60, height: 60 });
  });

  it('requires a signed URL when the deployment signs, like GET renditions', async () => {
    const key = 'upload-signing-key-0123456789';
    const app = uploadApp({ signingKeys: [key] });
    const bytes = await pngBytes(12, 12);
    expect(await expectErrorCode(await post(app, '?upscale=2', bytes), 403, 'invalid_signature')).toContain('signed');
    const signed = new URL(await signUrl(`https://edge.test${UPLOAD_PATH}?upscale=2`, key));
    expect((await post(app, signed.search, bytes)).status).toBe(200);
    // The signature covers the parameters: another scale or format needs its own.
    expect((await post(app, `${signed.search}&format=webp`, bytes)).status).toBe(403);
  });

  it('negotiates format=auto from Accept and says so with Vary', async () => {
    const response = await post(uploadApp(), '?upscale=2&format=auto', await pngBytes(16, 16), { Accept: 'image/webp' });
    expect(response.headers.get('Content-Type')).toBe('image/webp');
    expect(response.headers.get('Vary')).toBe('Accept');
  });

  describe('rejects', () => {
    // The parameter parser's own messages are its tests' business; these name the offending parameter.
    it.each([
      ['no parameters', '', `upscale (${shippedScales}), width or height is required`],
      ['an unknown scale', '?upscale=5', 'upscale'],
      ['format without a size', '?format=png', 'upscale'],
      ['a scale and a display size', '?upscale=2&width=100', 'width'],
      ['a parameter it does not take', '?upscale=2&v=1', 'uploads take only upscale, width, height'],
    ])('%s with 400 invalid_parameter', async (_, query, message) => {
      expect(await expectErrorCode(await post(uploadApp(), query, await pngBytes(8, 8)), 400, 'invalid_parameter')).toContain(message);
    });

    it('a body over the byte limit with 413, by Content-Length and while reading', async () => {
      const app = uploadApp({ limits: { ...DEFAULT_CONFIG.limits, sourceBytes: 1000 } });
      const bytes = await pngBytes(64, 64);
      expect(bytes.byteLength).toBeGreaterThan(1000);
      await expectErrorCode(await post(app, '?upscale=2', bytes), 413, 'source_too_large');
      // A stream carries no Content-Length: the limit must hold while reading.
      await expectErrorCode(await post(app, '?upscale=2', new Blob([bytes]).stream()), 413, 'source_too_large');
    });

    it('an image over the pixel limits with 422, before decoding', async () => {
      const app = uploadApp({ limits: { ...DEFAULT_CONFIG.limits, outputPixels: 1000 } });
      expect(await expectErrorCode(await post(app, '?upscale=2', await pngBytes(20, 20)), 422, 'image_too_large')).toContain('1000-pixel output limit');
    });

    it('bytes that are no image with 415, whatever their Content-Type says', async () => {
      await expectErrorCode(await post(uploadApp(), '?upscale=2', 'hello', { 'Content-Type': 'image/png' }), 415, 'unsupported_image');
    });

    it('a truncated image with 422 malformed_image', async () => {
      const bytes = await pngBytes(32, 32);
      await expectErrorCode(await post(uploadApp(), '?upscale=2', bytes.slice(0, bytes.length / 2)), 422, 'malformed_image');
    });

    it('a body that stalls with 504, like a slow origin', async () => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      const stalled = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new Uint8Array(8)) });
      await expectErrorCode(await post(uploadApp({ originTimeoutMs: 50 }), '?upscale=2', stalled), 504, 'origin_timeout');
    });
  });

  it('is mounted on the shipped Worker, ahead of the origin', async () => {
    const sample = await SELF.fetch('https://edge.test/samples/text-card.jpg');
    const response = await SELF.fetch(`https://edge.test${UPLOAD_PATH}?upscale=2`, { method: 'POST', body: await sample.arrayBuffer() });
    expect(response.status).toBe(200);
    expect(await responseSize(response)).toEqual({ format: 'jpeg', width: 384, height: 224 });
  });
});
