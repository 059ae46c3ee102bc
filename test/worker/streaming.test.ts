import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readImageHeader } from '../../src/codec/header';
import { DEFAULT_CONFIG } from '../../src/config';
import { bandsOf, collectBands } from '../../src/core/bands';
import type { ModelCatalog } from '../../src/core/model-catalog';
import type { ModelRunner } from '../../src/core/model-runner';
import { resizeBands } from '../../src/core/resample';
import { upscaleImage } from '../../src/core/upscale';
import { jpegFile } from '../core/jpeg-writer';
import { codecs, imageResponse, models, paintedImage, serviceApp, TestOrigin, withRunner } from './harness';

afterEach(() => vi.restoreAllMocks());

/** The shipped models, with `beforeRun` awaited before every tile's inference (to count, slow or fail tiles). */
function instrumented(beforeRun: (tile: number) => Promise<void> | void): ModelCatalog {
  let tiles = 0;
  return {
    scales: models.scales,
    entry: (scale) => models.entry(scale),
    warm: (scale) => models.warm(scale),
    async lease(scale) {
      const inner = await models.lease(scale);
      const runner: ModelRunner = {
        model: inner.runner.model,
        async run(input) {
          await beforeRun(tiles++);
          return inner.runner.run(input);
        },
        close: () => inner.runner.close(),
      };
      return { runner, end: () => inner.end() };
    },
  };
}

const decode = (bytes: Uint8Array<ArrayBuffer>) => codecs.decode(bytes, readImageHeader(bytes));
const bodyBytes = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('streamed output', () => {
  it.each([
    ['an opaque PNG', false],
    ['a translucent PNG', true],
  ])('upscales %s to the same pixels as whole-image inference', async (_, alpha) => {
    const source = paintedImage(70, 45, alpha);
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 70, 45, alpha) });
    const streamed = await decode(await bodyBytes(await serviceApp(origin, { tileSize: { default: 32 } }).request('/a.png?upscale=2')));
    const whole = await withRunner(2, (runner) => upscaleImage(source, runner, { tileSize: 1024 }));
    expect(streamed.data).toEqual(whole.data);
  });

  it('resizes to the same pixels as the whole-image resample, and encodes JPEG to the same bytes', async () => {
    const source = paintedImage(90, 60);
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 90, 60) });
    const app = serviceApp(origin);
    const thumbnail = await collectBands(resizeBands(bandsOf(source, true), 40, 27));
    expect((await decode(await bodyBytes(await app.request('/a.png?width=40')))).data).toEqual(thumbnail.data);
    const jpeg = await bodyBytes(await app.request('/a.png?width=40&format=jpeg&quality=80'));
    expect(jpeg).toEqual(await codecs.encode(thumbnail, 'jpeg', 80));
  });

  it('sends its first bytes while later tiles are still to compute', async () => {
    let inferred = 0;
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 96, 96) });
    const app = serviceApp(origin, { tileSize: { default: 32 }, models: instrumented(() => void inferred++) });
    for (const format of ['png', 'jpeg']) {
      inferred = 0;
      const response = await app.request(`/a.png?upscale=2&format=${format}`);
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      expect(inferred).toBeLessThan(9); // 3 x 3 tiles: the first row of tiles at most
      let total = first.value!.length;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) total += chunk.value.length;
      expect(inferred).toBe(9);
      expect(total).toBeGreaterThan(1000);
    }
  });
});

describe('failures after the first byte', () => {
  it('abort the stream, are logged, and leave nothing in the cache', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 96, 96) });
    const failing = instrumented((tile) => {
      if (tile === 4) throw new Error('the runtime lost its session');
    });
    const cache = await caches.open('streaming-failure');
    const app = serviceApp(origin, { tileSize: { default: 32 }, models: failing, cache });
    const ctx = createExecutionContext();
    const response = await app.request('https://edge.test/a.png?upscale=2', {}, {}, ctx);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    expect(await cache.match(`https://edge.test/a.png?upscale=2&format=source&quality=default&model=${models.entry(2)!.sha256}`)).toBeUndefined();
    expect(errors.mock.calls.some((call) => String(call[0]).includes('after the first byte'))).toBe(true);
    // The next request computes afresh (and, with a healthy model, is stored).
    const healthy = serviceApp(origin, { tileSize: { default: 32 }, cache });
    const retry = await healthy.request('https://edge.test/a.png?upscale=2', {}, {}, ctx);
    expect(retry.headers.get('Cache-Status')).toBe('wdsr-edge; fwd=uri-miss; stored');
    await retry.arrayBuffer();
    await waitOnExecutionContext(ctx);
    expect((await healthy.request('https://edge.test/a.png?upscale=2')).headers.get('Cache-Status')).toBe('wdsr-edge; hit');
  });

  it('include a deadline that passes mid-stream', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 96, 96) });
    const slow = instrumented(() => new Promise((resolve) => setTimeout(resolve, 60)));
    const free = { inferSecondsPerMegapixel: { 2: 0, 3: 0, 4: 0 }, streamSecondsPerMegapixel: 0 };
    const cache = await caches.open('streaming-deadline');
    const response = await serviceApp(origin, { tileSize: { default: 32 }, models: slow, cost: free, deadlineMs: 250, cache }).request(
      'https://edge.test/a.png?upscale=2',
    );
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    expect(await cache.match(`https://edge.test/a.png?upscale=2&format=source&quality=default&model=${models.entry(2)!.sha256}`)).toBeUndefined();
  });
});

describe('limits: each size class at its limit and just over it, refused from the header', () => {
  const limits = {
    ...DEFAULT_CONFIG.limits,
    sourceSide: 100,
    sourcePixels: 96 * 64,
    wholeSourcePixels: 48 * 32,
    progressiveJpegSourcePixels: 24 * 32,
    outputPixels: 96 * 64,
    webpOutputPixels: 48 * 32,
    webpAlphaOutputPixels: 24 * 16,
  };
  /** Serves each image at its own path; the decode is spied on to prove refusals come before it. */
  async function sizes(format: 'png' | 'jpeg' | 'webp', entries: readonly [number, number][]) {
    const routes: Record<string, () => Response> = {};
    for (const [width, height] of entries) {
      const bytes = await codecs.encode(paintedImage(width, height), format, 90);
      routes[`/${width}x${height}`] = () => new Response(bytes);
    }
    return serviceApp(new TestOrigin(routes), { limits });
  }
  const status = async (app: ReturnType<typeof serviceApp>, path: string) => {
    const response = await app.request(path);
    const code = response.status === 200 ? 'ok' : ((await response.json()) as { error: { code: string } }).error.code;
    return `${response.status} ${code}`;
  };

  it.each(['png', 'jpeg'] as const)('a %s thumbnail source decoded in strips: sourcePixels and sourceSide', async (format) => {
    const app = await sizes(format, [
      [96, 64],
      [97, 64],
      [101, 10],
    ]);
    const decodes = vi.spyOn(codecs, 'decodeBands');
    expect(await status(app, '/96x64?width=20')).toBe('200 ok');
    expect(await status(app, '/97x64?width=20')).toBe('422 image_too_large');
    expect(await status(app, '/101x10?width=20')).toBe('422 image_too_large');
    expect(decodes).toHaveBeenCalledTimes(1);
  });

  it('a WebP source, decoded whole: wholeSourcePixels', async () => {
    const app = await sizes('webp', [
      [48, 32],
      [49, 32],
    ]);
    expect(await status(app, '/48x32?width=20&format=png')).toBe('200 ok');
    expect(await status(app, '/49x32?width=20&format=png')).toBe('422 image_too_large');
  });

  it.each([
    ['a thumbnail', 'width=8'],
    ['an upscale', 'upscale=2'],
  ])('a progressive JPEG, decoded whole with its coefficients: progressiveJpegSourcePixels for %s', async (_, query) => {
    const routes = Object.fromEntries(
      [
        [24, 32],
        [25, 32],
      ].map(([width, height]) => [`/${width}x${height}`, () => new Response(jpegFile(width!, height!, { components: 3, progressive: true }))]),
    );
    const app = serviceApp(new TestOrigin(routes), { limits });
    const decodes = vi.spyOn(codecs, 'decodeBands');
    expect(await status(app, `/24x32?${query}&format=png`)).toBe('200 ok');
    expect(await status(app, `/25x32?${query}&format=png`)).toBe('422 image_too_large');
    expect(decodes).toHaveBeenCalledTimes(1);
  });

  it.each(['png', 'jpeg', 'webp'] as const)('an upscale of a %s source: wholeSourcePixels, then outputPixels', async (format) => {
    const app = await sizes(format, [
      [48, 32],
      [49, 32],
    ]);
    expect(await status(app, '/48x32?upscale=2&format=png')).toBe('200 ok');
    expect(await status(app, '/49x32?upscale=2&format=png')).toBe('422 image_too_large');
    expect(await status(app, '/48x32?upscale=4&format=png')).toBe('422 image_too_large'); // 192x128 > 96x64
    expect(await status(app, '/48x32?width=96&format=jpeg')).toBe('200 ok'); // an enlarging width: the same output bound
    expect(await status(app, '/48x32?width=97&format=jpeg')).toBe('422 image_too_large');
  });

  it('WebP output: webpOutputPixels, and format=auto falls back to a streamed format above it', async () => {
    const app = await sizes('png', [[48, 32]]);
    expect(await status(app, '/48x32?width=48&format=webp')).toBe('200 ok');
    expect(await status(app, '/48x32?upscale=2&format=webp')).toBe('422 image_too_large');
    const auto = await app.request('/48x32?upscale=2&format=auto', { headers: { Accept: 'image/webp,image/*' } });
    expect(auto.status).toBe(200);
    expect(auto.headers.get('Content-Type')).toBe('image/png');
    const small = await app.request('/48x32?width=40&format=auto', { headers: { Accept: 'image/webp,image/*' } });
    expect(small.headers.get('Content-Type')).toBe('image/webp');
  });

  it('WebP output of a source that may have alpha: webpAlphaOutputPixels, from the header', async () => {
    const translucent = await codecs.encode(paintedImage(24, 16, true), 'png', 90);
    expect(readImageHeader(translucent).mayHaveAlpha).toBe(true);
    const app = serviceApp(new TestOrigin({ '/alpha': () => new Response(translucent) }), { limits });
    const decodes = [vi.spyOn(codecs, 'decode'), vi.spyOn(codecs, 'decodeBands')];
    expect(await status(app, '/alpha?upscale=2&format=webp')).toBe('422 image_too_large'); // 48x32: an opaque source's limit
    for (const decode of decodes) expect(decode).not.toHaveBeenCalled();
    expect(await status(app, '/alpha?width=24&format=webp')).toBe('200 ok');
    const auto = await app.request('/alpha?upscale=2&format=auto', { headers: { Accept: 'image/webp,image/*' } });
    expect(auto.headers.get('Content-Type')).toBe('image/png');
  });

  it('the defaults: 24 MiP baseline JPEG thumbnails, 12,000 px sides, 2048x2048 x2 and 1024x1024 x4 upscales', async () => {
    const { limits: defaults } = DEFAULT_CONFIG;
    expect(defaults.sourcePixels).toBeGreaterThanOrEqual(6000 * 4000);
    expect(defaults.sourceSide).toBe(12_000);
    expect(defaults.sourceBytes).toBe(32 * 1024 * 1024);
    expect(defaults.wholeSourcePixels).toBeGreaterThanOrEqual(2048 * 2048);
    expect(defaults.outputPixels).toBeGreaterThanOrEqual(4096 * 4096);
  });
});
