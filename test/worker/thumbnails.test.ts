import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../src/codec/header';
import { imresizeRgba } from '../../src/core/imresize';
import { codecs, imageResponse, paintedImage, responseSize, serviceApp, TestOrigin } from './harness';

/** Stage names in `Server-Timing`: which steps the plan ran. */
const stages = (response: Response) => response.headers.get('Server-Timing')!.split(', ').map((entry) => entry.split(';')[0]);
const decoded = async (response: Response) => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return codecs.decode(bytes, readImageHeader(bytes));
};

describe('display sizes (width, height, fit, dpr)', () => {
  const source = paintedImage(60, 40);
  const app = async () => serviceApp(new TestOrigin({ '/a.png': await imageResponse('png', 60, 40), '/t.png': await imageResponse('png', 60, 40, true) }));

  it.each([
    ['contain by width, enlarging: model then resample', '/a.png?width=100', [100, 67], ['infer', 'resize']],
    ['contain in a box, the height binding', '/a.png?width=200&height=50', [75, 50], ['infer', 'resize']],
    ['contain shrinking: a resample only', '/a.png?width=30', [30, 20], ['resize']],
    ['an exact model scale: no resample', '/a.png?width=120', [120, 80], ['infer']],
    ['cover: fills the box, cropped', '/a.png?width=50&height=50&fit=cover', [50, 50], ['infer', 'resize']],
    ['scale-down never enlarges', '/a.png?width=500&fit=scale-down', [60, 40], []],
    ['dpr multiplies the box', '/a.png?width=50&dpr=2', [100, 67], ['infer', 'resize']],
  ])('%s', async (_, path, [width, height], steps) => {
    const response = await (await app()).request(path);
    expect(response.status).toBe(200);
    const ran = stages(response.clone());
    for (const step of ['infer', 'resize']) expect(ran.includes(step)).toBe(steps.includes(step));
    expect(await responseSize(response)).toEqual({ format: 'png', width, height });
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
    const limited = serviceApp(origin, { limits: { sourceBytes: 1 << 20, sourcePixels: 1 << 20, outputPixels: 5000 } });
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
