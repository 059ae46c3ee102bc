import * as tf from '@tensorflow/tfjs-core';
import { RELU_BACKPROP } from '../backend/wasm-relu-backprop';

/**
 * `relu(x)` whose gradient is one kernel, `ReluBackprop` (`dy` where `x > 0`), on a backend
 * that registers it (wasm, see training/backend/wasm-relu-backprop.ts), and tfjs's own
 * `dy * step(x)` elsewhere. Same values either way, but for the sign of a masked zero.
 */
export const reluLayer = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.relu(x),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
      if (tf.getKernel(RELU_BACKPROP, tf.getBackend()) === undefined) return tf.mul(dy, tf.step(saved!));
      return tf.engine().runKernel(RELU_BACKPROP, { dy, x: saved! }) as tf.Tensor;
    },
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;
