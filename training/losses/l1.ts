import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean absolute error, the paper's training loss (Section 4: L1 trains SR networks to
 * higher PSNR than L2, as EDSR found).
 *
 * @example
 * const loss = l1Loss(model.forward(lr, true), hr);
 */
export function l1Loss(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(prediction, target)));
}
