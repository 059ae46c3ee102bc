import * as tf from '@tensorflow/tfjs-core';
import type { FloatImage, Upscaler } from '../metrics/evaluate';
import type { TfjsModel } from '../model/tfjs-model';

/**
 * Wraps a model as the evaluator's `Upscaler`: one whole-image inference forward (batch
 * norm on moving statistics), output clamped to [0, 1] as the served model's is.
 *
 * @example
 * const result = await evaluateDirectory('../shared/datasets/Set5/HR', 2, tfjsUpscaler(model));
 */
export function tfjsUpscaler(model: TfjsModel): Upscaler {
  return async function upscaleWithTfjs(lr: FloatImage): Promise<FloatImage> {
    const scale = model.graph.scale;
    const sr = tf.tidy(() => {
      const input = tf.tensor4d(lr.data, [1, lr.height, lr.width, 3]);
      return tf.clipByValue(model.forward(input, false), 0, 1);
    });
    try {
      return { width: lr.width * scale, height: lr.height * scale, data: (await sr.data()) as Float32Array };
    } finally {
      sr.dispose();
    }
  };
}
