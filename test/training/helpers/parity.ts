import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { TfjsModel } from '../../../training/model/tfjs-model';

/*
 * What the parity tests compare an exported model's output with, and how. Runtime-free beyond tfjs:
 * the Worker parity test (test/worker/export-parity.test.ts) runs these in workerd too.
 */

/**
 * The tfjs forward pass (inference mode) of one NCHW RGB image, returned NCHW and clamped to [0, 1]
 * as the exported graph clamps: what an exported model's `sr` output should hold.
 */
export function tfjsForward(model: TfjsModel, nchw: Float32Array, height: number, width: number): Float32Array {
  return tf.tidy(() => {
    const input = tf.transpose(tf.tensor4d(nchw, [1, 3, height, width]), [0, 2, 3, 1]);
    return tf.transpose(tf.clipByValue(model.forward(input, false), 0, 1), [0, 3, 1, 2]).dataSync() as Float32Array;
  });
}

/** The largest absolute difference between `a` and `b`, over the length of `a`. */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The mean absolute difference between `a` and `b`, over the length of `a`. */
export function meanAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Parity on a saturated output would prove nothing: the fraction of values strictly inside (0, 1), which should be most. */
export function interiorFraction(a: Float32Array): number {
  return a.filter((v) => v > 0 && v < 1).length / a.length;
}

/**
 * The int8 export's promise: a quantization-aware network's fake-quantized forward pass (`fakeQuant`)
 * computes what its int8 model computes (`int8`), over 20 times closer than the same network without
 * its rounding (`float`) does. What remains is float32 summation order and rare half-way roundings,
 * a level here and there.
 */
export function expectInt8Parity(int8: Float32Array, fakeQuant: Float32Array, float: Float32Array): void {
  const floatGap = meanAbs(float, int8);
  expect(floatGap).toBeGreaterThan(1e-4);
  expect(meanAbs(fakeQuant, int8)).toBeLessThan(floatGap / 20);
  expect(maxAbs(fakeQuant, int8)).toBeLessThan(2e-3);
}
