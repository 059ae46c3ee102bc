import { decodePng, encodePng } from '../../src/codec/png';
import type { RgbaImage } from '../../src/core/image';
import { UPLOAD_PATH } from '../../src/http/routes';
import { modCropRgb } from '../data/pairs';
import type { FloatImage, Upscaler } from '../metrics/evaluate';
import { quantizeToUint8, toFloatImage } from '../metrics/float-image';

/** The service answered something other than a PNG of the expected size. */
class ServiceUpscaleError extends Error {
  override readonly name = 'ServiceUpscaleError';
}

/**
 * Scores the running service itself (`npm start`, or any deployment): each LR image is sent as a
 * lossless PNG to its upload endpoint with `upscale=<scale>&format=png`, and the PNG it answers is
 * what gets scored, so tiling, the served int8 model, codecs and rounding are all in the number.
 * The LR images the evaluator hands over are 8-bit (`k / 255`), so the PNG carries them exactly.
 * Uploads are never cached by the service, so every image is really upscaled.
 *
 * @example
 * const upscaler = serviceUpscaler('http://127.0.0.1:8787', 2);
 * const result = await evaluateDirectory('../shared/datasets/Set5/HR', 2, upscaler);
 */
export function serviceUpscaler(serviceUrl: string, scale: number): Upscaler {
  const endpoint = new URL(UPLOAD_PATH, serviceUrl);
  endpoint.search = new URLSearchParams({ upscale: String(scale), format: 'png' }).toString();
  return async function upscaleWithService(lr: FloatImage): Promise<FloatImage> {
    const body = new Uint8Array(encodePng(toRgba(lr), true));
    const response = await fetch(endpoint, { method: 'POST', body, headers: { 'Content-Type': 'image/png' } });
    if (!response.ok) throw new ServiceUpscaleError(`${endpoint.href} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const image = decodePng(new Uint8Array(await response.arrayBuffer()));
    if (image.width !== lr.width * scale || image.height !== lr.height * scale) {
      throw new ServiceUpscaleError(`${endpoint.href} returned ${image.width}x${image.height} for a ${lr.width}x${lr.height} image at x${scale}`);
    }
    // A crop at scale 1 is the whole image, alpha dropped.
    return toFloatImage(modCropRgb(image, 1, endpoint.href));
  };
}

function toRgba(image: FloatImage): RgbaImage {
  const rgb = quantizeToUint8(image).data;
  const rgba = new Uint8Array(image.width * image.height * 4).fill(255);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) rgba.set(rgb.subarray(p, p + 3), q);
  return { width: image.width, height: image.height, data: rgba };
}
