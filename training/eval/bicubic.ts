import { imresizeUint8 } from '../../src/core/imresize';
import type { FloatImage, Upscaler } from '../metrics/evaluate';
import { quantizeToUint8, toFloatImage } from '../metrics/float-image';

/**
 * The bicubic baseline of SR tables: MATLAB `imresize(lr, scale, 'bicubic')` on the uint8 LR.
 * The evaluator hands over `uint8 / 255` floats, so converting back to uint8 is exact and the
 * resize keeps MATLAB's uint8 arithmetic.
 *
 * @example
 * const result = await evaluateDirectory('../shared/datasets/Set5/HR', 2, bicubicUpscaler(2));
 */
export function bicubicUpscaler(scale: number): Upscaler {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
  return async function upscaleBicubic(lr: FloatImage): Promise<FloatImage> {
    return toFloatImage(imresizeUint8(quantizeToUint8(lr), lr.width * scale, lr.height * scale));
  };
}
