import { afterEach, describe, expect, it, vi } from 'vitest';
import { IMAGE_FORMATS, OUTPUT_FORMAT_SETS, type ImageFormat } from '../../src/codec/format';
import { readImageHeader } from '../../src/codec/header';
import { DEFAULT_CONFIG } from '../../src/config';
import type { RgbaImage } from '../../src/core/image';
import { chooseFormat, formatPreferences } from '../../src/http/accept';
import { renditionCacheKey } from '../../src/http/cache-key';
import { parseUpscaleParams } from '../../src/http/params';
import type { Limits } from '../../src/http/pipeline';
import { mutations, type FuzzInput } from './fuzz-inputs';
import { codecs, imageResponse, models, paintedImage, responseSize, serviceApp, TestOrigin } from './harness';

afterEach(() => vi.restoreAllMocks());

/** What Chrome sends for images. */
const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

const decode = async (response: Response): Promise<RgbaImage> => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return codecs.decode(bytes, readImageHeader(bytes));
};

function meanAbsoluteError(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** The service over one source at `/a.<format>`, with the given limits. */
async function appOver(format: ImageFormat, width: number, height: number, limits: Partial<Limits> = {}) {
  const origin = new TestOrigin({ [`/a.${format}`]: await imageResponse(format, width, height) });
  return serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, ...limits } });
}

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe('AVIF sources', () => {
  it('upscale in their own format, AVIF', async () => {
    const response = await (await appOver('avif', 45, 31)).request('/a.avif?upscale=2');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/avif');
    expect(await responseSize(response)).toEqual({ format: 'avif', width: 90, height: 62 });
  });

  it('thumbnail (decoded whole)', async () => {
    const response = await (await appOver('avif', 90, 60)).request('/a.avif?width=30&format=png');
    expect(await responseSize(response)).toEqual({ format: 'png', width: 30, height: 20 });
  });

  it('over the AVIF output limit in their own format: 422 before any decode, naming the formats that fit', async () => {
    const app = await appOver('avif', 45, 31, { avifOutputPixels: 60 * 40 });
    const decodes = vi.spyOn(codecs, 'decodeBands');
    const response = await app.request('/a.avif?upscale=2');
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('image_too_large');
    expect(error.message).toBe('AVIF output is limited to 2400 pixels (this one is 90x62); ask for png, jpeg, webp or format=auto');
    expect(decodes).not.toHaveBeenCalled();
    const png = await app.request('/a.avif?upscale=2&format=png');
    expect(await responseSize(png)).toEqual({ format: 'png', width: 90, height: 62 });
  });

  it('over avifSourcePixels: 422 before any decode, at the limit: decoded', async () => {
    const origin = new TestOrigin({
      '/48x32.avif': await imageResponse('avif', 48, 32),
      '/49x32.avif': await imageResponse('avif', 49, 32),
    });
    const app = serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, avifSourcePixels: 48 * 32 } });
    const decodes = vi.spyOn(codecs, 'decodeBands');
    expect((await app.request('/48x32.avif?width=20&format=png')).status).toBe(200);
    const over = await app.request('/49x32.avif?width=20&format=png');
    expect(over.status).toBe(422);
    expect((await errorOf(over)).message).toBe('the source image is 49x32; at most 1536 pixels are accepted as an AVIF source');
    expect(decodes).toHaveBeenCalledTimes(1);
  });
});

describe('AVIF output', () => {
  it('format=avif decodes to the requested size, close to the lossless rendition', async () => {
    const app = await appOver('png', 40, 30);
    const avif = await app.request('/a.png?upscale=2&format=avif');
    expect(avif.headers.get('Content-Type')).toBe('image/avif');
    const [lossy, lossless] = [await decode(avif), await decode(await app.request('/a.png?upscale=2&format=png'))];
    expect([lossy.width, lossy.height]).toEqual([80, 60]);
    expect(meanAbsoluteError(lossy, lossless)).toBeLessThan(6);
  });

  it('takes a quality: lower, fewer bytes', async () => {
    const app = await appOver('png', 64, 48);
    const low = await app.request('/a.png?width=64&format=avif&quality=20');
    const high = await app.request('/a.png?width=64&format=avif&quality=95');
    expect((await low.arrayBuffer()).byteLength).toBeLessThan((await high.arrayBuffer()).byteLength);
  });

  it('format=avif over avifOutputPixels: 422 before any decode; at it: 200', async () => {
    const app = await appOver('png', 40, 30, { avifOutputPixels: 80 * 60 });
    const decodes = vi.spyOn(codecs, 'decodeBands');
    const over = await app.request('/a.png?width=81&format=avif');
    expect(over.status).toBe(422);
    expect((await errorOf(over)).message).toMatch(/^AVIF output is limited to 4800 pixels \(this one is 81x61\)/);
    expect(decodes).not.toHaveBeenCalled();
    expect(await responseSize(await app.request('/a.png?upscale=2&format=avif'))).toEqual({ format: 'avif', width: 80, height: 60 });
  });
});

describe('format=auto', () => {
  // 40x30 upscaled x2 is 80x60 (4800 pixels), x4 160x120.
  const limits = { avifOutputPixels: 40 * 30, webpOutputPixels: 80 * 60 };
  const formatOf = async (app: Awaited<ReturnType<typeof appOver>>, query: string, accept?: string) => {
    const response = await app.request(`/a.png?${query}&format=auto`, accept === undefined ? {} : { headers: { Accept: accept } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Vary')).toBe('Accept');
    const { format, width, height } = await responseSize(response);
    expect(response.headers.get('Content-Type')).toBe(`image/${format}`);
    return `${format} ${width}x${height}`;
  };

  it('prefers AVIF when Accept names it and the output is within its limit', async () => {
    const app = await appOver('png', 40, 30, limits);
    expect(await formatOf(app, 'width=40', CHROME)).toBe('avif 40x30');
    expect(await formatOf(app, 'width=40', 'image/avif,image/png;q=0.5')).toBe('avif 40x30');
  });

  it('falls back above the AVIF limit: to WebP within its limit, else to PNG or JPEG', async () => {
    const app = await appOver('png', 40, 30, limits);
    expect(await formatOf(app, 'upscale=2', CHROME)).toBe('webp 80x60');
    expect(await formatOf(app, 'upscale=4', CHROME)).toBe('png 160x120');
    expect(await formatOf(app, 'upscale=2', 'image/avif,image/jpeg;q=0.9,image/png;q=0.5')).toBe('jpeg 80x60');
  });

  it('serves AVIF only to clients that name it: not for image/*, */* or no Accept', async () => {
    const app = await appOver('png', 40, 30, limits);
    expect(await formatOf(app, 'width=40', 'image/webp,image/apng,image/*,*/*;q=0.8')).toBe('webp 40x30');
    expect(await formatOf(app, 'width=40', '*/*')).toBe('webp 40x30');
    expect(await formatOf(app, 'width=40')).toBe('webp 40x30');
    expect(await formatOf(app, 'width=40', 'image/avif;q=0, image/*')).toBe('webp 40x30');
  });

  it('turns an AVIF source into what the client takes', async () => {
    const app = await appOver('avif', 40, 30);
    const response = await app.request('/a.avif?width=40&format=auto', { headers: { Accept: 'image/webp,image/*;q=0.8' } });
    expect(await responseSize(response)).toEqual({ format: 'webp', width: 40, height: 30 });
  });
});

describe('the format=auto cache key', () => {
  const accepts = [
    CHROME,
    'image/avif,image/webp',
    'image/avif,image/png',
    'image/avif,image/jpeg;q=0.9,image/png;q=0.5',
    'image/avif;q=0.5,image/webp',
    'image/webp,image/*;q=0.8',
    'image/webp,image/apng,image/*,*/*;q=0.8',
    'image/avif',
    'image/png,image/jpeg',
    '*/*',
    '',
    'text/html',
  ];
  const key = (accept: string) => {
    const url = new URL('https://e.dev/a.png?upscale=2&format=auto');
    return renditionCacheKey(url, parseUpscaleParams(url.searchParams, models.scales)!, formatPreferences(accept), models);
  };

  it('is shared only by headers that choose alike for every source format and every output size', () => {
    for (const a of accepts) {
      for (const b of accepts) {
        const alike = IMAGE_FORMATS.every((source) =>
          OUTPUT_FORMAT_SETS.every((allowed) => chooseFormat(formatPreferences(a), source, allowed) === chooseFormat(formatPreferences(b), source, allowed)),
        );
        expect(key(a) === key(b), `${JSON.stringify(a)} and ${JSON.stringify(b)}`).toBe(alike);
      }
    }
  });

  it('tells apart headers that agree on AVIF but not on what replaces it above its limit', () => {
    // Both get AVIF within its limit, and the source's PNG above both limits; above AVIF's alone, WebP and PNG.
    expect(key('image/avif,image/webp')).toContain('png>avif/webp/avif/png');
    expect(key('image/avif,image/png')).toContain('png>avif/png/avif/png');
  });

  it('serves the bytes its key names: two headers sharing a key get the same format', async () => {
    const app = await appOver('png', 40, 30, { avifOutputPixels: 40 * 30, webpOutputPixels: 80 * 60 });
    for (const query of ['width=40', 'upscale=2', 'upscale=4']) {
      const [chrome, terse] = await Promise.all(
        [CHROME, 'image/avif,image/webp'].map((accept) => app.request(`/a.png?${query}&format=auto`, { headers: { Accept: accept } })),
      );
      expect(key(CHROME)).toBe(key('image/avif,image/webp'));
      expect(chrome!.headers.get('Content-Type')).toBe(terse!.headers.get('Content-Type'));
      expect(new Uint8Array(await chrome!.arrayBuffer())).toEqual(new Uint8Array(await terse!.arrayBuffer()));
    }
  });
});

describe('the AVIF limits', () => {
  it("default to 1 MiP in and out: libavif's heaps at that size (28 and 40 MiB) beside onnxruntime's stay within the isolate (docs/avif.md)", () => {
    expect(DEFAULT_CONFIG.limits.avifOutputPixels).toBe(1024 * 1024);
    expect(DEFAULT_CONFIG.limits.avifSourcePixels).toBe(1024 * 1024);
    expect(DEFAULT_CONFIG.limits.avifOutputPixels).toBeLessThanOrEqual(1200 * 1200); // Cloudflare's own AVIF cap
  });

  it('encode a painted image at the output limit', async () => {
    const image = paintedImage(1024, 1024);
    const bytes = await codecs.encode(image, 'avif', 85);
    expect(readImageHeader(bytes)).toMatchObject({ format: 'avif', width: 1024, height: 1024 });
  }, 60_000);
});

describe('fuzz: damaged AVIF through the service', () => {
  /** The file with its primary `ispe` (the first one, in libavif's files) declaring another size. */
  function withIspe(bytes: Uint8Array<ArrayBuffer>, width: number, height: number): Uint8Array<ArrayBuffer> {
    const copy = bytes.slice();
    const at = copy.findIndex((_, i) => String.fromCharCode(...copy.subarray(i, i + 4)) === 'ispe');
    const view = new DataView(copy.buffer);
    view.setUint32(at + 8, width);
    view.setUint32(at + 12, height);
    return copy;
  }

  it('answers every input with a 4xx or a valid image, never a 5xx', async () => {
    const seeds = [
      { name: 'avif-opaque', format: 'avif' as const, bytes: await codecs.encode(paintedImage(12, 10), 'avif', 80) },
      { name: 'avif-alpha', format: 'avif' as const, bytes: await codecs.encode(paintedImage(12, 10, true), 'avif', 80) },
    ];
    const inputs: FuzzInput[] = mutations(seeds).filter((input) => input.name.startsWith('avif-'));
    for (const { name, bytes } of seeds) {
      for (const [width, height] of [
        [0, 0],
        [13, 10],
        [12, 11],
        [1024, 1025],
        [65535, 65535],
        [16383, 1],
      ] as const) {
        inputs.push({ name: `${name}/ispe-${width}x${height}`, bytes: withIspe(bytes, width, height) });
      }
    }
    let current = inputs[0]!;
    const app = serviceApp({ fetch: () => Promise.resolve(new Response(current.bytes)) });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const queries = ['upscale=2', 'width=9&format=webp', 'width=17&height=13&fit=cover&format=png'];
    const outcomes = new Map<string, number>();
    for (const [i, input] of inputs.entries()) {
      current = input;
      const query = queries[i % queries.length]!;
      const response = await app.request(`/fuzz?${query}`);
      let outcome: string;
      if (response.status === 200) {
        const bytes = new Uint8Array(await response.arrayBuffer());
        const header = readImageHeader(bytes);
        await codecs.decode(bytes, header); // the whole body decodes
        outcome = `200 ${header.format}`;
      } else {
        const body = (await response.json()) as { error: { code: string } };
        outcome = `${response.status} ${body.error.code}`;
        expect([413, 415, 422], `${input.name}: ${outcome}`).toContain(response.status);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(`AVIF fuzz: ${inputs.length} inputs`, Object.fromEntries(outcomes));
    expect(outcomes.get('200 avif') ?? 0).toBeGreaterThan(0); // some damage is harmless (in the pixels)
    expect([...outcomes.keys()].some((key) => key.startsWith('422'))).toBe(true);
    // The isolate is healthy afterwards.
    expect(await responseSize(await (await appOver('avif', 20, 16)).request('/a.avif?upscale=2'))).toEqual({ format: 'avif', width: 40, height: 32 });
  }, 300_000);
});
