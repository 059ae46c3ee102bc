import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { Rng } from '../../training/model/rng';
import { TfjsModel } from '../../training/model/tfjs-model';
import { Adam, PAPER_ADAM } from '../../training/loop/adam';
import { trainStep } from '../../training/loop/train-step';

/** PyTorch's Adam on one scalar, in float64, as the reference. */
function referenceAdam(w: number, gradients: number[], lr: number): number {
  let [m, v] = [0, 0];
  gradients.forEach((g, i) => {
    const t = i + 1;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    w -= (lr / (1 - 0.9 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8));
  });
  return w;
}

describe('Adam', () => {
  beforeAll(() => initBackend('cpu'));

  it("follows PyTorch's update rule", () => {
    const w = tf.variable(tf.scalar(0.5));
    const adam = new Adam(['w'], [w]);
    const gradients = [0.3, -1.2, 0.05];
    for (const g of gradients) adam.apply([tf.scalar(g)], 1e-2);
    expect(w.dataSync()[0]).toBeCloseTo(referenceAdam(0.5, gradients, 1e-2), 6);
    expect(adam.stepsTaken).toBe(3);
  });

  it('continues identically from a restored state', () => {
    const run = (restoreAfter?: number) => {
      const w = tf.variable(tf.tensor1d([1, -2]));
      let adam = new Adam(['w'], [w]);
      [0.5, -0.25, 1, 2].forEach((g, i) => {
        if (i === restoreAfter) {
          const state = adam.state();
          adam.dispose();
          adam = new Adam(['w'], [w]);
          adam.restore(state);
        }
        adam.apply([tf.tensor1d([g, -g])], 1e-3);
      });
      return w.dataSync();
    };
    expect(run(2)).toEqual(run());
  });

  it('refuses a state that does not fit its variables', () => {
    const adam = new Adam(['w'], [tf.variable(tf.zeros([3]))]);
    const other = new Adam(['u'], [tf.variable(tf.zeros([3]))]);
    expect(() => adam.restore(other.state())).toThrow(/lacks the first moment of w/);
    expect(PAPER_ADAM).toEqual({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  });
});

describe('trainStep', () => {
  beforeAll(() => initBackend('wasm'));

  it('lowers the L1 loss on a fixed batch and frees everything it allocates', async () => {
    const graph = buildArch({ arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 1, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' });
    const model = TfjsModel.create(graph, 1);
    const adam = new Adam(model.trainableNames, model.trainableVariables);
    // A smooth random image: learnable, unlike white noise.
    const rng = new Rng(7);
    const [fy, fx] = [rng.next(), rng.next()];
    const hr = Float32Array.from({ length: 2 * 16 * 16 * 3 }, (_, i) => {
      const [n, y, x, c] = [Math.floor(i / 768), Math.floor(i / 48) % 16, Math.floor(i / 3) % 16, i % 3];
      return 0.5 + 0.4 * Math.sin(fx * x + n + c) * Math.cos(fy * y - c);
    });
    // LR = 2x2 box average of HR, so the target is learnable.
    const lr = new Float32Array(2 * 8 * 8 * 3).map((_, i) => {
      const [n, y, x, c] = [Math.floor(i / 192), Math.floor(i / 24) % 8, Math.floor(i / 3) % 8, i % 3];
      const at = (dy: number, dx: number) => hr[((n * 16 + 2 * y + dy) * 16 + 2 * x + dx) * 3 + c]!;
      return (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
    });
    const batch = { lr, hr, batchSize: 2, lrPatchSize: 8, scale: 2 };
    const first = await trainStep(model, adam, batch, 1e-3);
    const tensorsAfterFirst = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = await trainStep(model, adam, batch, 1e-3);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(last).toBeLessThan(0.5 * first);
  });
});
