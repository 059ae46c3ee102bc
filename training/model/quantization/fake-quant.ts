import * as tf from '@tensorflow/tfjs-core';
import { quantizeActivation, type ActivationRange } from './int8-arithmetic';

/*
 * Fake quantization: the int8 model's rounding, simulated in float32 tfjs ops so training sees
 * it. Each function computes exactly what the exporter (training/model/quantization/int8-arithmetic.ts) writes and
 * onnxruntime's QuantizeLinear / DequantizeLinear compute: the quotient in float32, rounded half
 * to even (tfjs `round`), clamped to the integer range, scaled back. Gradients are
 * straight-through (Bengio et al. 2013): rounding counts as the identity, and an activation
 * clamped to the end of its range passes no gradient, as it would not change the output.
 */

/** A tensor rounded to the uint8 grid of `range` (per tensor, asymmetric), as QuantizeLinear + DequantizeLinear. */
export function fakeQuantizeActivation<T extends tf.Tensor>(x: T, range: ActivationRange): T {
  const { scale, zeroPoint } = quantizeActivation(range);
  // (clamp(round(x / s) + z, 0, 255) - z) * s, with the integer z moved inside the clamp: the same
  // values in four ops instead of six, which matters on every activation of every training step.
  const [lowest, highest] = [-zeroPoint, 255 - zeroPoint];
  const quantize = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor]);
    return {
      value: tf.mul(tf.clipByValue(tf.round(tf.div(input as tf.Tensor, scale)), lowest, highest), scale),
      gradFunc: (dy, [saved]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved!, lowest * scale), tf.lessEqual(saved!, highest * scale));
        return tf.where(inside, dy, tf.zerosLike(dy));
      },
    };
  });
  return quantize(x) as T;
}

/**
 * An HWIO kernel rounded to symmetric int8 per output channel (the last axis), in [-127, 127],
 * scale max|w| / 127, as `quantizeWeightsPerChannel` exports it. Returns the scales too: the
 * bias is quantized at input scale times weight scale. The scales are constants to the gradient:
 * they are read only inside the custom-gradient ops.
 */
export function fakeQuantizeKernel(kernel: tf.Tensor4D): { kernel: tf.Tensor4D; scales: tf.Tensor1D } {
  const maxAbs = tf.max(tf.abs(kernel), [0, 1, 2]);
  // An all-zero channel gets scale 1, as the exporter gives it (its values stay 0 either way).
  const scales = tf.where(tf.greater(maxAbs, 0), tf.div(maxAbs, 127), tf.onesLike(maxAbs)) as tf.Tensor1D;
  const quantize = tf.customGrad((input) => ({
    value: tf.mul(tf.clipByValue(tf.round(tf.div(input as tf.Tensor, scales)), -127, 127), scales),
    gradFunc: (dy) => dy,
  }));
  return { kernel: quantize(kernel) as tf.Tensor4D, scales };
}

/** A bias rounded to int32 levels of `inputScale * weightScales` (what QLinearConv accumulates in); no clamping. */
export function fakeQuantizeBias(bias: tf.Tensor1D, inputScale: number, weightScales: tf.Tensor1D): tf.Tensor1D {
  const scales = tf.mul(weightScales, inputScale);
  const quantize = tf.customGrad((input) => ({
    value: tf.mul(tf.round(tf.div(input as tf.Tensor, scales)), scales),
    gradFunc: (dy) => dy,
  }));
  return quantize(bias) as tf.Tensor1D;
}
