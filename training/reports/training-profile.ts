import * as tf from '@tensorflow/tfjs-core';
import type { PatchBatch } from '../data/sampler';
import { l1Loss } from '../losses/l1';
import type { TfjsModel } from '../model/tfjs-model';
import type { Adam } from '../loop/adam';

/** Time spent in one tfjs kernel within a phase of a training step. */
export interface KernelTime {
  readonly kernel: string;
  readonly ms: number;
  readonly calls: number;
}

export interface StepProfile {
  readonly forward: KernelTime[];
  readonly backward: KernelTime[];
  readonly optimizer: KernelTime[];
}

/**
 * Per-kernel time of one training step, split into forward, backward and optimizer by
 * profiling the forward pass alone, then forward + gradients (backward = the difference,
 * kernel by kernel), then the Adam update, after one unprofiled forward + gradients pass.
 * Composite wasm kernels (the conv gradients) count as one kernel, including the kernels
 * they call. Sorted by time, descending.
 */
export async function profileTrainingStep(model: TfjsModel, adam: Adam, batch: PatchBatch, learningRate: number): Promise<StepProfile> {
  const { batchSize, lrPatchSize, scale } = batch;
  const lr = tf.tensor4d(batch.lr, [batchSize, lrPatchSize, lrPatchSize, 3]);
  const hr = tf.tensor4d(batch.hr, [batchSize, lrPatchSize * scale, lrPatchSize * scale, 3]);
  const loss = () => l1Loss(model.forward(lr, true), hr);
  const gradientsOfLoss = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, model.trainableVariables);
      value.dispose();
      return model.trainableVariables.map((variable) => grads[variable.name]!);
    });
  try {
    // An unprofiled pass first grows the wasm heap to this batch's peak. A batch larger than
    // the thread trained on so far (16 after shards of 8) would otherwise put its fresh pages'
    // first-touch faults on the profiled kernels: on the 2026-11-27 machine, Step and Multiply
    // showed 70-80 ms per call instead of 5-8.
    tf.dispose(gradientsOfLoss());
    const forward = await kernelTimes(() => tf.tidy(() => void loss()));
    let gradients: tf.Tensor[] = [];
    const withGradients = await kernelTimes(() => {
      gradients = gradientsOfLoss();
    });
    const optimizer = await kernelTimes(() => adam.apply(gradients, learningRate));
    tf.dispose(gradients);
    return { forward, backward: subtract(withGradients, forward), optimizer };
  } finally {
    tf.dispose([lr, hr]);
  }
}

async function kernelTimes(f: () => void): Promise<KernelTime[]> {
  const info = await tf.profile(() => {
    f();
    return [];
  });
  const totals = new Map<string, { ms: number; calls: number }>();
  const backend = tf.getBackend();
  for (const kernel of info.kernels) {
    // Custom-gradient ops (`fusedConv2d__op`) are profiled too, wrapping the kernel they run; counting them would count it twice.
    if (tf.getKernel(kernel.name, backend) === undefined) continue;
    const time = await kernel.kernelTimeMs;
    if (typeof time !== 'number') throw new Error(`profiling ${kernel.name} failed: ${time.error}`);
    const total = totals.get(kernel.name) ?? { ms: 0, calls: 0 };
    totals.set(kernel.name, { ms: total.ms + time, calls: total.calls + 1 });
  }
  return sorted([...totals].map(([kernel, { ms, calls }]) => ({ kernel, ms, calls })));
}

function subtract(all: KernelTime[], part: KernelTime[]): KernelTime[] {
  const partByName = new Map(part.map((entry) => [entry.kernel, entry]));
  return sorted(
    all
      .map((entry) => {
        const other = partByName.get(entry.kernel);
        return { kernel: entry.kernel, ms: Math.max(0, entry.ms - (other?.ms ?? 0)), calls: entry.calls - (other?.calls ?? 0) };
      })
      .filter((entry) => entry.calls > 0),
  );
}

function sorted(times: KernelTime[]): KernelTime[] {
  return times.sort((a, b) => b.ms - a.ms);
}
