import * as tf from '@tensorflow/tfjs-core';
import { l1Loss } from './l1';

/**
 * Knowledge-distillation loss: `(1 - weight) * L1(prediction, hr) + weight * L1(prediction, teacher)`,
 * the teacher's output a fixed target (no gradient flows into it). Each term is a mean over every
 * value, as `l1Loss` is, so `weight` is the teacher's share whatever the patch size.
 *
 * @example
 * const loss = distillationLoss(model.forward(lr, true), hr, teacherSr, 0.5);
 */
export function distillationLoss(prediction: tf.Tensor, hr: tf.Tensor, teacher: tf.Tensor, weight: number): tf.Scalar {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`distillation weight must be in [0, 1], got ${weight}`);
  return tf.add(tf.mul(l1Loss(prediction, hr), 1 - weight), tf.mul(l1Loss(prediction, teacher), weight));
}
