import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend/init';
import { Rng } from '../../training/model/rng';
import type { PatchBatch } from '../../training/data/sampler';
import { Adam } from '../../training/loop/adam';
import { flattenTensors } from '../../training/loop/flat-tensors';
import { GradientWorkers } from '../../training/loop/gradient-workers';
import { buildModel } from '../../training/loop/session';
import { shardSizes, sliceBatch, weightedSum } from '../../training/loop/shards';
import { trainStep } from '../../training/loop/train-step';
import { tinyExperimentConfig } from './helpers/tiny-config';

/** A batch of smooth random HR patches with their 2x2-averaged LR patches (learnable, unlike noise). */
function smoothBatch(batchSize: number, lrPatchSize: number, seed: number): PatchBatch {
  const rng = new Rng(seed);
  const hrSize = 2 * lrPatchSize;
  const hr = new Float32Array(batchSize * hrSize * hrSize * 3);
  for (let n = 0; n < batchSize; n++) {
    const [fx, fy, phase] = [0.1 + 0.4 * rng.next(), 0.1 + 0.4 * rng.next(), 6 * rng.next()];
    for (let i = 0; i < hrSize * hrSize * 3; i++) {
      const [y, x, c] = [Math.floor(i / (3 * hrSize)), Math.floor(i / 3) % hrSize, i % 3];
      hr[n * hrSize * hrSize * 3 + i] = 0.5 + 0.4 * Math.sin(fx * x + phase + c) * Math.cos(fy * y - c);
    }
  }
  const lr = new Float32Array(batchSize * lrPatchSize * lrPatchSize * 3).map((_, i) => {
    const [n, y, x, c] = [
      Math.floor(i / (lrPatchSize * lrPatchSize * 3)),
      Math.floor(i / (3 * lrPatchSize)) % lrPatchSize,
      Math.floor(i / 3) % lrPatchSize,
      i % 3,
    ];
    const at = (dy: number, dx: number) => hr[((n * hrSize + 2 * y + dy) * hrSize + 2 * x + dx) * 3 + c]!;
    return (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
  });
  return { lr, hr, batchSize, lrPatchSize, scale: 2 };
}

beforeAll(() => initBackend('wasm'));

describe('shardSizes', () => {
  it.each<[number, number, number[]]>([
    [16, 1, [16]],
    [16, 2, [8, 8]],
    [16, 3, [6, 5, 5]],
    [5, 2, [3, 2]],
    [3, 3, [1, 1, 1]],
  ])('splits %i samples over %i shards as %j', (batchSize, shards, sizes) => {
    expect(shardSizes(batchSize, shards)).toEqual(sizes);
  });

  it.each([
    [4, 0],
    [4, 5],
    [4, 1.5],
  ])('refuses %i samples over %d shards', (batchSize, shards) => {
    expect(() => shardSizes(batchSize, shards)).toThrow(/cannot split/);
  });
});

describe('sliceBatch', () => {
  it('copies whole samples, LR and HR alike', () => {
    const batch = smoothBatch(3, 2, 1);
    const slice = sliceBatch(batch, 1, 2);
    expect(slice).toMatchObject({ batchSize: 2, lrPatchSize: 2, scale: 2 });
    expect(slice.lr).toEqual(batch.lr.slice(12, 36));
    expect(slice.hr).toEqual(batch.hr.slice(48, 144));
    expect(slice.lr.buffer).not.toBe(batch.lr.buffer);
    expect(() => sliceBatch(batch, 2, 2)).toThrow(/outside a batch of 3/);
  });
});

describe('weightedSum', () => {
  it('weights each part and rounds the sum to float32 once', () => {
    const sum = weightedSum([Float32Array.of(1, 2, 0.1), Float32Array.of(3, -2, 0.2)], [0.25, 0.75]);
    expect([...sum]).toEqual([2.5, -1, Math.fround(0.25 * Math.fround(0.1) + 0.75 * Math.fround(0.2))]);
    expect(() => weightedSum([Float32Array.of(1)], [0.5, 0.5])).toThrow(/one weight per part/);
  });
});

describe('data-parallel trainStep', () => {
  const config = tinyExperimentConfig('parallel-test');
  let workers: GradientWorkers | undefined;
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('trains like the single-thread step, within float tolerance, over several steps', async () => {
    const single = buildModel(config);
    const parallel = buildModel(config);
    const [singleAdam, parallelAdam] = [single, parallel].map((model) => new Adam(model.trainableNames, model.trainableVariables));
    workers = await GradientWorkers.start(1, config, parallel.namedWeights());
    const losses: [number, number][] = [];
    for (let step = 0; step < 4; step++) {
      const batch = smoothBatch(3, 6, 10 + step); // 3 samples: shards of 2 and 1, so the weighting matters
      losses.push([await trainStep(single, singleAdam!, batch, 1e-3), await trainStep(parallel, parallelAdam!, batch, 1e-3, workers)]);
    }
    for (const [a, b] of losses) expect(b).toBeCloseTo(a, 6);
    expect(losses[3]![1]).toBeLessThan(losses[0]![1]);
    const [expected, actual] = [single.namedWeights(), parallel.namedWeights()];
    let largest = 0;
    for (const [name, { data }] of expected) {
      const other = actual.get(name)!.data;
      data.forEach((value, i) => {
        largest = Math.max(largest, Math.abs(value - other[i]!));
      });
    }
    // Four Adam steps at lr 1e-3 move a weight by up to ~4e-3; the two paths differ by rounding only.
    expect(largest).toBeLessThan(1e-5);
    for (const model of [single, parallel]) model.dispose();
    for (const adam of [singleAdam, parallelAdam]) adam!.dispose();
  });

  it('is deterministic: the same weights and batches give bit-identical results', async () => {
    const initial = buildModel(config);
    workers = await GradientWorkers.start(2, config, initial.namedWeights());
    initial.dispose();
    const run = async (): Promise<Float32Array> => {
      const model = buildModel(config);
      const adam = new Adam(model.trainableNames, model.trainableVariables);
      for (let step = 0; step < 2; step++) await trainStep(model, adam, smoothBatch(4, 6, step), 1e-3, workers);
      const weights = flattenTensors(model.trainableVariables);
      model.dispose();
      adam.dispose();
      return weights;
    };
    expect(await run()).toEqual(await run());
  });
});

describe('GradientWorkers failures', () => {
  const config = tinyExperimentConfig('failing-worker');

  it('reports a worker that fails to start instead of waiting for it', async () => {
    const model = buildModel(config);
    const weights = model.namedWeights();
    model.dispose();
    const native = { ...config, train: { ...config.train, backend: 'tensorflow' as const } };
    await expect(GradientWorkers.start(1, native, weights)).rejects.toThrow(/gradient worker 1 failed: backend 'tensorflow' needs/);
  });

  it('fails the step a worker throws in, and every later one, then closes', async () => {
    const model = buildModel(config);
    const workers = await GradientWorkers.start(1, config, model.namedWeights());
    const weights = flattenTensors(model.trainableVariables);
    const batch = smoothBatch(1, 6, 1);
    await expect(workers.compute(weights, [batch])).resolves.toHaveLength(1);
    const truncated = { ...smoothBatch(1, 6, 1), lrPatchSize: 7 }; // the LR data no longer fills the shape it claims
    await expect(workers.compute(weights, [truncated])).rejects.toThrow(/gradient worker 1 failed: .*shape/);
    await expect(workers.compute(weights, [smoothBatch(1, 6, 2)])).rejects.toThrow(/gradient worker 1 failed/);
    await workers.close();
    model.dispose();
  });
});
