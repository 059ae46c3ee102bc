import * as tf from '@tensorflow/tfjs-core';
import type { PatchBatch } from '../data/sampler';
import { distillationLoss } from '../losses/distill';
import { l1Loss } from '../losses/l1';
import type { TfjsModel } from '../model/tfjs-model';
import type { Adam } from './adam';
import { flattenTensors, unflattenTensors } from './flat-tensors';
import type { GradientWorkers, ShardResult } from './gradient-workers';
import { shardSizes, sliceBatch, weightedSum } from './shards';

/** Wall time of one step's phases on the main thread, filled in when the caller asks (benchmark). */
export interface StepTimings {
  forwardMs: number;
  backwardMs: number;
  /** Waiting for the worker threads' gradients after the main thread's own share (0 with 1 worker). */
  waitMs: number;
  /** Combining the shards' gradients (with several workers) and the Adam update. */
  optimizerMs: number;
}

/**
 * L1 loss of the model on a batch (mixed with the L1 distance to the teacher's output when the
 * batch carries one, see `distillationLoss`) and the gradient of every trainable variable (in
 * `model.trainableVariables` order); the tensors are left to the caller's `tf.tidy`.
 */
function lossAndGradients(model: TfjsModel, batch: PatchBatch, timings?: StepTimings): { loss: tf.Scalar; gradients: tf.Tensor[] } {
  const { batchSize, lrPatchSize, scale } = batch;
  const hrPatchSize = lrPatchSize * scale;
  const lr = tf.tensor4d(batch.lr, [batchSize, lrPatchSize, lrPatchSize, 3]);
  const hr = tf.tensor4d(batch.hr, [batchSize, hrPatchSize, hrPatchSize, 3]);
  const teacher =
    batch.teacher === undefined ? undefined : { sr: tf.tensor4d(batch.teacher.sr, [batchSize, hrPatchSize, hrPatchSize, 3]), weight: batch.teacher.weight };
  const start = performance.now();
  let forwardEnd = start;
  const { value, grads } = tf.variableGrads(() => {
    const sr = model.forward(lr, true);
    const loss = teacher === undefined ? l1Loss(sr, hr) : distillationLoss(sr, hr, teacher.sr, teacher.weight);
    forwardEnd = performance.now();
    return loss;
  }, model.trainableVariables);
  if (timings !== undefined) {
    timings.forwardMs = forwardEnd - start;
    timings.backwardMs = performance.now() - forwardEnd;
  }
  return { loss: value, gradients: model.trainableVariables.map((variable) => grads[variable.name]!) };
}

/** Loss and gradients of one shard of a batch, as plain data: what each worker thread computes. */
export function shardGradients(model: TfjsModel, batch: PatchBatch, timings?: StepTimings): ShardResult {
  // The result leaves the tidy through a closure, not as its return value: tf.tidy searches what
  // its callback returns for tensors, element by element in a typed array, which for the 150k
  // gradients of the benchmark network cost 30 ms a step (3% of it) in every thread.
  let result: ShardResult = { loss: Number.NaN, gradients: new Float32Array(0) };
  tf.tidy(() => {
    const { loss, gradients } = lossAndGradients(model, batch, timings);
    result = { loss: loss.dataSync()[0]!, gradients: flattenTensors(gradients) };
  });
  return result;
}

/**
 * One optimisation step: L1 loss of the model on the batch, gradients of every trainable
 * variable, one Adam update at `learningRate`. Returns the loss before the update.
 *
 * With `workers`, the batch is split into contiguous shards (`shardSizes`): the worker
 * threads get the current weights and one shard each, this thread computes the first
 * shard meanwhile, and the gradients and losses are averaged, weighted by shard size, in
 * shard order. So the step is deterministic, and equals the single-thread step up to
 * float rounding (the L1 loss is a mean over samples). Without workers it is the
 * single-thread step itself. Everything it allocates is freed before it returns.
 *
 * @example
 * const loss = await trainStep(model, adam, sampler.nextBatch(16, rng), 1e-3);
 */
export async function trainStep(
  model: TfjsModel,
  adam: Adam,
  batch: PatchBatch,
  learningRate: number,
  workers?: GradientWorkers,
  timings?: StepTimings,
): Promise<number> {
  const sizes = shardSizes(batch.batchSize, 1 + (workers?.size ?? 0));
  if (workers === undefined || sizes.length === 1) {
    return tf.tidy(() => {
      const { loss, gradients } = lossAndGradients(model, batch, timings);
      const optimizerStart = performance.now();
      adam.apply(gradients, learningRate);
      const value = loss.dataSync()[0]!;
      if (timings !== undefined) [timings.waitMs, timings.optimizerMs] = [0, performance.now() - optimizerStart];
      return value;
    });
  }
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const remote = workers.compute(
    flattenTensors(model.trainableVariables),
    sizes.slice(1).map((size, i) => sliceBatch(batch, starts[i + 1]!, size)),
  );
  let local: ShardResult;
  try {
    local = shardGradients(model, sliceBatch(batch, 0, sizes[0]!), timings);
  } catch (error) {
    remote.catch(() => undefined); // the local error is the one to report; the pool is closed by the caller
    throw error;
  }
  const waitStart = performance.now();
  const shards = [local, ...(await remote)];
  const optimizerStart = performance.now();
  const weights = sizes.map((size) => size / batch.batchSize);
  const gradients = weightedSum(
    shards.map((shard) => shard.gradients),
    weights,
  );
  tf.tidy(() => adam.apply(unflattenTensors(gradients, model.trainableVariables), learningRate));
  if (timings !== undefined) [timings.waitMs, timings.optimizerMs] = [optimizerStart - waitStart, performance.now() - optimizerStart];
  return shards.reduce((sum, shard, i) => sum + weights[i]! * shard.loss, 0);
}
