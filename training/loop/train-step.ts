import * as tf from '@tensorflow/tfjs-core';
import type { PatchBatch } from '../data/sampler';
import { l1Loss } from '../losses/l1';
import type { TfjsModel } from '../model/tfjs-model';
import type { Adam } from './adam';

/** Wall time of one step's phases, filled in when the caller asks (profiling). */
export interface StepTimings {
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
}

/**
 * One optimisation step: L1 loss of the model on the batch, gradients of every trainable
 * variable, one Adam update at `learningRate`. Returns the loss before the update.
 * Everything it allocates is freed before it returns.
 *
 * @example
 * const loss = trainStep(model, adam, sampler.nextBatch(16, rng), 1e-3);
 */
export function trainStep(model: TfjsModel, adam: Adam, batch: PatchBatch, learningRate: number, timings?: StepTimings): number {
  return tf.tidy(() => {
    const { batchSize, lrPatchSize, scale } = batch;
    const hrPatchSize = lrPatchSize * scale;
    const lr = tf.tensor4d(batch.lr, [batchSize, lrPatchSize, lrPatchSize, 3]);
    const hr = tf.tensor4d(batch.hr, [batchSize, hrPatchSize, hrPatchSize, 3]);
    const start = performance.now();
    let forwardEnd = start;
    const { value, grads } = tf.variableGrads(() => {
      const loss = l1Loss(model.forward(lr, true), hr);
      forwardEnd = performance.now();
      return loss;
    }, model.trainableVariables);
    const backwardEnd = performance.now();
    adam.apply(model.trainableVariables.map((variable) => grads[variable.name]!), learningRate);
    const loss = value.dataSync()[0]!;
    if (timings !== undefined) {
      timings.forwardMs = forwardEnd - start;
      timings.backwardMs = backwardEnd - forwardEnd;
      timings.optimizerMs = performance.now() - backwardEnd;
    }
    return loss;
  });
}
