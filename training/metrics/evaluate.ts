import { basename, dirname, resolve } from 'node:path';
import { psnr, ssim, type MetricOptions } from '../../src/core/metrics';
import { listImageFiles, loadImageFile } from '../data/image-folder';
import { bicubicPair } from '../data/pairs';
import { quantizeToUint8, toFloatImage, type FloatImage } from './float-image';

export type { FloatImage } from './float-image';

/** Anything that maps an LR image to one `scale` times larger: bicubic, an ONNX model, a tfjs model. */
export type Upscaler = (lr: FloatImage) => Promise<FloatImage>;

/** Mean Y-PSNR (dB) and Y-SSIM of a folder, with the per-image values they average. */
export interface SetResult {
  set: string;
  psnr: number;
  ssim: number;
  images: { name: string; psnr: number; ssim: number }[];
}

/**
 * Scores an upscaler on a folder of HR images with the protocol SR papers publish, reproduced from
 * the MATLAB evaluation scripts of EDSR/RCAN/BasicSR:
 * 1. HR uint8, mod-cropped to `scale`; LR = MATLAB `imresize(hr, 1/scale, 'bicubic')` on uint8.
 * 2. The upscaler's output is rounded to uint8 (as saved to PNG).
 * 3. PSNR/SSIM on Y = `rgb2ycbcr(im2double(.))` (not rounded), `scale` pixels shaved per border.
 *    Files stored with one grey channel (Set14 `bridge`) are compared on their grey values over
 *    R, G and B instead, as those scripts do when `size(im, 3) == 1`; on Y they would score
 *    1.3 dB higher, and Set14 x2 bicubic would read 30.32 instead of the published 30.24.
 * The set score is the mean of the per-image scores.
 *
 * @example
 * const { psnr } = await evaluateDirectory('../shared/datasets/Set5/HR', 2, bicubicUpscaler(2)); // 33.67
 */
export async function evaluateDirectory(hrDir: string, scale: number, upscaler: Upscaler): Promise<SetResult> {
  const images: SetResult['images'] = [];
  for (const name of await listImageFiles(hrDir)) {
    const { image, greyscale } = await loadImageFile(hrDir, name);
    const { hr, lr } = bicubicPair(image, scale, name);
    const sr = await upscaler(toFloatImage(lr));
    if (sr.width !== hr.width || sr.height !== hr.height || sr.data.length !== hr.data.length) {
      throw new RangeError(`${name}: upscaler returned ${sr.width}x${sr.height} (${sr.data.length} values) for a ${hr.width}x${hr.height} RGB target`);
    }
    const output = quantizeToUint8(sr);
    const options: MetricOptions = { cropBorder: scale, yChannel: !greyscale };
    images.push({ name, psnr: psnr(output, hr, options), ssim: ssim(output, hr, options) });
  }
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    set: setName(hrDir),
    psnr: mean(images.map((image) => image.psnr)),
    ssim: mean(images.map((image) => image.ssim)),
    images,
  };
}

/** `../shared/datasets/Set5/HR` is "Set5": benchmark folders keep their HR images in an `HR` subfolder. */
export function setName(hrDir: string): string {
  const absolute = resolve(hrDir);
  const leaf = basename(absolute);
  return leaf.toUpperCase() === 'HR' ? basename(dirname(absolute)) : leaf;
}
