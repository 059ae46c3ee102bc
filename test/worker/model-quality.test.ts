import { describe, expect, it } from 'vitest';
import { decodePng } from '../../src/codec/png';
import type { RgbaImage } from '../../src/core/image';
import { imresizeRgba } from '../../src/core/imresize';
import { psnr } from '../../src/core/metrics';
import { codecs, manifest, paintedImage, serviceApp, TestOrigin } from './harness';

const asRaster = (image: RgbaImage) => ({ width: image.width, height: image.height, channels: 4, data: image.data });

/**
 * The shipped model, end to end through the Worker, measured against ground truth the way the
 * benchmark protocol does (MATLAB-bicubic LR, Y-PSNR with `scale` pixels shaved): it must beat
 * the bicubic baseline, computed on the same LR, by a clear margin.
 */
describe.each(manifest.models.map((m) => [m.scale, m] as const))('the shipped x%i model', (scale) => {
  it('beats bicubic on a generated image by at least 1 dB Y-PSNR', async () => {
    const hr = paintedImage(48 * scale, 40 * scale);
    const lr = imresizeRgba(hr, hr.width / scale, hr.height / scale);
    const bytes = await codecs.encode(lr, 'png', 100);
    const origin = new TestOrigin({ '/lr.png': () => new Response(bytes, { headers: { 'Content-Type': 'image/png' } }) });
    const response = await serviceApp(origin).request(`/lr.png?upscale=${scale}`);
    expect(response.status).toBe(200);
    const sr = decodePng(new Uint8Array(await response.arrayBuffer()));
    const bicubic = imresizeRgba(lr, hr.width, hr.height);

    const options = { cropBorder: scale, yChannel: true };
    const modelPsnr = psnr(asRaster(sr), asRaster(hr), options);
    const bicubicPsnr = psnr(asRaster(bicubic), asRaster(hr), options);
    console.log(`x${scale} generated image: model ${modelPsnr.toFixed(2)} dB, bicubic ${bicubicPsnr.toFixed(2)} dB`);
    expect(modelPsnr).toBeGreaterThan(bicubicPsnr + 1);
  });
});
