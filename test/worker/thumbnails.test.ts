import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config';
import { readImageHeader } from '../../src/codec/header';
import { imresizeRgba } from '../../src/core/imresize';
import { codecs, imageResponse, paintedImage, responseSize, serviceApp, TestOrigin } from './harness';

const decoded = async (response: Response) => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return codecs.decode(bytes, readImageHeader(bytes));
};

describe('display sizes (width, height, fit, dpr)', () => {
  const source = paintedImage(60, 40);
  const app = async () => serviceApp(new TestOrigin({ '/a.png': await imageResponse('png', 60, 40), '/t.png': await imageResponse('png', 60, 40, true) }));

  it.each([
    ['contain by width, enlarging: model then resample', '/a.png?width=100', [100, 67]],
    ['contain in a box, the height binding', '/a.png?width=200&height=50', [75, 50]],
    ['contain shrinking: a resample only', '/a.png?width=30', [30, 20]],
    ['an exact model scale: no resample', '/a.png?width=120', [120, 80]],
    ['cover: fills the box, cropped', '/a.png?width=50&height=50&fit=cover', [50, 50]],
    ['scale-down never enlarges', '/a.png?width=500&fit=scale-down', [60, 40]],
    ['dpr multiplies the box', '/a.png?width=50&dpr=2', [100, 67]],
  ])('%s', async (_, path, [width, height]) => {
    const response = await (await app()).request(path);
    expect(response.status).toBe(200);
    expect(await responseSize(response)).toEqual({ format: 'png', width, height });
  });

  it('shrinks with the bicubic resample alone, exactly', async () => {
    expect((await decoded(await (await app()).request('/a.png?width=30'))).data).toEqual(imresizeRgba(source, 30, 20).data);
  });

  it('serves the model output itself when the size is an exact scale', async () => {
    const service = await app();
    const bySize = new Uint8Array(await (await service.request('/a.png?width=120')).arrayBuffer());
    const byScale = new Uint8Array(await (await service.request('/a.png?upscale=2')).arrayBuffer());
    expect(bySize).toEqual(byScale);
  });

  it('enlarges with the model, not by plain bicubic', async () => {
    const image = await decoded(await (await app()).request('/a.png?width=100'));
    const bicubic = imresizeRgba(source, 100, 67);
    let difference = 0;
    for (let i = 0; i < image.data.length; i++) difference += Math.abs(image.data[i]! - bicubic.data[i]!);
    const mean = difference / image.data.length;
    expect(mean).toBeGreaterThan(0.2); // the network changed the pixels...
    expect(mean).toBeLessThan(12); // ...into the same picture
  });

  it('keeps translucency through the enlargement and resample', async () => {
    const image = await decoded(await (await app()).request('/t.png?width=90'));
    expect(new Set(image.data.filter((_, i) => i % 4 === 3)).size).toBeGreaterThan(10);
  });

  it('refuses, before decoding, a plan whose intermediate image is over the output limit', async () => {
    const origin = new TestOrigin({ '/a.png': await imageResponse('png', 60, 40) });
    const limited = serviceApp(origin, { limits: { ...DEFAULT_CONFIG.limits, sourceBytes: 1 << 20, wholeSourcePixels: 1 << 20, outputPixels: 5000 } });
    // 70x47 is within the limit, but the x2 model output it is resampled from (120x80) is not.
    const response = await limited.request('/a.png?width=70');
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      'upscaling 60x40 by 2 to 70x47 needs 9600 pixels, over the 5000-pixel output limit',
    );
    expect((await limited.request('/a.png?width=50')).status).toBe(200); // a downscale stays within it
  });

  it('negotiates format=auto with a display size', async () => {
    const response = await (await app()).request('/a.png?width=80&format=auto', { headers: { Accept: 'image/webp,*/*' } });
    expect(response.headers.get('Vary')).toBe('Accept');
    expect(await responseSize(response)).toEqual({ format: 'webp', width: 80, height: 53 });
  });
});
