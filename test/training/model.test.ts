import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArchConfig } from '../../training/archs/config';
import type { ConvNode } from '../../training/archs/graph';
import { buildArch, countParameters } from '../../training/archs/index';
import { initBackend } from '../../training/backend/init';
import { Rng } from '../../training/model/rng';
import { BATCH_NORM_MOMENTUM, effectiveKernel } from '../../training/model/conv-layer';
import { pixelShuffle } from '../../training/model/pixel-shuffle';
import { TfjsModel } from '../../training/model/tfjs-model';
import type { NamedWeights } from '../../training/model/weights';

const wdsrB = (overrides: Partial<ArchConfig> = {}): ArchConfig =>
  ({ arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight', ...overrides }) as ArchConfig;

function randomImage(batch: number, height: number, width: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: batch * height * width * 3 }, () => rng.next()),
    [batch, height, width, 3],
  );
}

function firstConv(config: ArchConfig, name: string): ConvNode {
  const node = buildArch(config).nodes.find((n) => n.op === 'conv' && n.name === name);
  if (node?.op !== 'conv') throw new Error(`no conv ${name}`);
  return node;
}

describe('TfjsModel', () => {
  beforeAll(() => initBackend('cpu'));

  describe('output shape', () => {
    it.each<[string, ArchConfig]>([
      ['WDSR-B x2, weight norm', wdsrB()],
      ['WDSR-B x3, batch norm', wdsrB({ scale: 3, normalization: 'batch' })],
      ['WDSR-A x4, no norm', { arch: 'wdsr_a', scale: 4, nFeats: 8, nBlocks: 1, blockFeats: 16, resScale: 1, normalization: 'none' }],
      ['EDSR x4', { arch: 'edsr', scale: 4, nFeats: 8, nBlocks: 1, resScale: 0.1, normalization: 'none' }],
    ])('%s upscales NHWC by the scale', (_, config) => {
      const model = TfjsModel.create(buildArch(config), 3);
      const shape = tf.tidy(() => model.forward(randomImage(2, 5, 7, 1), true).shape);
      expect(shape).toEqual([2, 5 * config.scale, 7 * config.scale, 3]);
      model.dispose();
    });
  });

  it('holds exactly the parameters the architecture counts', () => {
    const graph = buildArch(wdsrB({ normalization: 'batch' }));
    const model = TfjsModel.create(graph, 1);
    expect(model.trainableVariables.reduce((sum, v) => sum + v.size, 0)).toBe(countParameters(graph));
    expect([...model.namedWeights().keys()].filter((name) => name.includes('/moving'))).toHaveLength(2 * 2 * 3);
    model.dispose();
  });

  it('is deterministic in its seed', () => {
    const graph = buildArch(wdsrB());
    const [a, b, c] = [1, 1, 2].map((seed) => TfjsModel.create(graph, seed));
    const kernelOf = (m: TfjsModel) => m.namedWeights().get('body/0/expand/v')!.data;
    expect(kernelOf(a!)).toEqual(kernelOf(b!));
    expect(kernelOf(a!)).not.toEqual(kernelOf(c!));
    for (const m of [a, b, c]) m!.dispose();
  });

  describe('initialisation (PyTorch Conv2d default)', () => {
    const graph = buildArch(wdsrB());
    let weights: NamedWeights;
    beforeAll(() => {
      const model = TfjsModel.create(graph, 5);
      weights = model.namedWeights();
      model.dispose();
    });

    it('draws kernels and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
      // body/0/spatial: 3x3 conv from floor(8 * 0.8) = 6 channels, fan_in 54.
      const bound = 1 / Math.sqrt(3 * 3 * 6);
      for (const name of ['body/0/spatial/v', 'body/0/spatial/bias']) {
        const data = weights.get(name)!.data;
        expect(Math.max(...data.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...data.map(Math.abs))).toBeGreaterThan(0.8 * bound);
      }
    });

    it('starts weight norm at g = ||v||, so the effective kernel equals v', () => {
      const node = firstConv(wdsrB(), 'head');
      const model = TfjsModel.fromWeights(graph, weights);
      const kernel = tf.tidy(() => effectiveKernel(node, (name) => model.trainableVariables[model.trainableNames.indexOf(name)]!).arraySync());
      const v = tf.tensor(weights.get('head/v')!.data, weights.get('head/v')!.shape).arraySync();
      expect(maxDifference(kernel, v)).toBeLessThan(1e-6);
      model.dispose();
    });
  });

  describe('weight normalization (w = g v / ||v||, paper eq. 6)', () => {
    const config = wdsrB();
    const graph = buildArch(config);

    /** Weights with g no longer equal to ||v||, so the reparameterisation is visible. */
    function perturbedWeights(vFactor: number): NamedWeights {
      const model = TfjsModel.create(graph, 9);
      const weights = model.namedWeights();
      model.dispose();
      const rng = new Rng(4);
      for (const [name, entry] of weights) {
        if (name.endsWith('/g')) entry.data = entry.data.map((g) => g * (0.5 + rng.next()));
        if (name.endsWith('/v')) entry.data = entry.data.map((v) => v * vFactor);
      }
      return weights;
    }

    it('applies g v / ||v|| per output channel', () => {
      const weights = perturbedWeights(1);
      const model = TfjsModel.fromWeights(graph, weights);
      const node = firstConv(config, 'body/1/expand');
      const kernel = tf.tidy(() => effectiveKernel(node, (name) => model.trainableVariables[model.trainableNames.indexOf(name)]!).dataSync());
      const v = weights.get('body/1/expand/v')!.data;
      const g = weights.get('body/1/expand/g')!.data;
      const out = node.outChannels;
      for (let o = 0; o < out; o++) {
        let squares = 0;
        for (let i = o; i < v.length; i += out) squares += v[i]! ** 2;
        for (let i = o; i < v.length; i += out) expect(kernel[i]).toBeCloseTo((g[o]! * v[i]!) / Math.sqrt(squares), 6);
      }
      model.dispose();
    });

    it('makes the output invariant to the scale of v', () => {
      const input = randomImage(1, 6, 6, 2);
      const outputs = [1, 7.5].map((factor) => {
        const model = TfjsModel.fromWeights(graph, perturbedWeights(factor));
        const out = tf.tidy(() => model.forward(input, false).dataSync());
        model.dispose();
        return out;
      });
      expect(maxDifference(Array.from(outputs[0]!), Array.from(outputs[1]!))).toBeLessThan(1e-5);
    });

    it('trains g and v, with each channel of dL/dv orthogonal to that channel of v', () => {
      const model = TfjsModel.fromWeights(graph, perturbedWeights(1));
      const names = model.trainableNames;
      const input = randomImage(2, 6, 6, 3);
      const gradients = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(model.forward(input, true))), model.trainableVariables);
        return model.trainableVariables.map((variable) => grads[variable.name]!.dataSync());
      });
      const dg = gradients[names.indexOf('body/0/reduce/g')]!;
      const dv = gradients[names.indexOf('body/0/reduce/v')]!;
      const v = model.namedWeights().get('body/0/reduce/v')!.data;
      expect(Math.max(...dg.map(Math.abs))).toBeGreaterThan(0);
      const out = dg.length;
      for (let o = 0; o < out; o++) {
        let dot = 0;
        let norms = 0;
        for (let i = o; i < v.length; i += out) {
          dot += v[i]! * dv[i]!;
          norms += dv[i]! ** 2;
        }
        expect(Math.abs(dot)).toBeLessThan(1e-4 * Math.sqrt(norms) + 1e-9);
      }
      model.dispose();
    });
  });

  describe('batch normalization', () => {
    const config = wdsrB({ normalization: 'batch' });
    const graph = buildArch(config);

    it('updates the moving statistics with momentum 0.1 in training and only then', () => {
      const model = TfjsModel.create(graph, 2);
      const before = model.namedWeights().get('body/0/expand/bn/movingVariance')!.data;
      tf.tidy(() => model.forward(randomImage(2, 6, 6, 5), false));
      expect(model.namedWeights().get('body/0/expand/bn/movingVariance')!.data).toEqual(before);
      tf.tidy(() => model.forward(randomImage(2, 6, 6, 5), true));
      const mean = model.namedWeights().get('body/0/expand/bn/movingMean')!.data;
      // Starting from 0, one update leaves 0.1 x the batch mean: non-zero, and small.
      expect(Math.max(...mean.map(Math.abs))).toBeGreaterThan(0);
      expect(model.namedWeights().get('body/0/expand/bn/movingVariance')!.data).not.toEqual(before);
      expect(BATCH_NORM_MOMENTUM).toBe(0.1);
      model.dispose();
    });

    it('normalises with batch statistics in training and moving ones at inference', () => {
      const model = TfjsModel.create(graph, 2);
      const input = randomImage(2, 6, 6, 6);
      const [train, infer] = [true, false].map((training) => tf.tidy(() => model.forward(input, training).dataSync()));
      expect(maxDifference(Array.from(train!), Array.from(infer!))).toBeGreaterThan(1e-3);
      model.dispose();
    });
  });

  describe('fromWeights', () => {
    const graph = buildArch(wdsrB());
    const weights = () => {
      const model = TfjsModel.create(graph, 1);
      const w = model.namedWeights();
      model.dispose();
      return w;
    };

    it('round-trips namedWeights exactly', () => {
      const original = weights();
      const model = TfjsModel.fromWeights(graph, original);
      expect(model.namedWeights()).toEqual(original);
      model.dispose();
    });

    it.each<[string, (w: NamedWeights) => void, RegExp]>([
      ['a missing variable', (w) => w.delete('tail/g'), /lack variable tail\/g/],
      ['an unknown variable', (w) => w.set('tail/kernel', { shape: [1], data: new Float32Array(1) }), /does not have: tail\/kernel/],
      ['a wrong shape', (w) => w.set('tail/bias', { shape: [3], data: new Float32Array(3) }), /tail\/bias: expected shape \[12\], got \[3\]/],
    ])('rejects %s', (_, corrupt, message) => {
      const w = weights();
      corrupt(w);
      expect(() => TfjsModel.fromWeights(graph, w)).toThrow(message);
    });
  });

  it('frees intermediates during the forward pass', () => {
    const model = TfjsModel.create(buildArch(wdsrB()), 1);
    const input = randomImage(1, 8, 8, 7);
    const before = tf.memory().numTensors;
    const out = model.forward(input, false);
    // Output plus per-conv weight-norm kernels; no per-node activations left behind.
    const convs = buildArch(wdsrB()).nodes.filter((n) => n.op === 'conv').length;
    expect(tf.memory().numTensors - before).toBeLessThan(1 + 6 * convs);
    out.dispose();
    model.dispose();
  });
});

describe('pixelShuffle', () => {
  beforeAll(() => initBackend('cpu'));

  it.each([2, 3, 4])('equals tf.depthToSpace (ONNX DCR) for block size %i', (block) => {
    const rng = new Rng(block);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 3 * 4 * 3 * block * block }, () => rng.next()),
      [2, 3, 4, 3 * block * block],
    );
    const expected = tf.depthToSpace(x, block, 'NHWC').dataSync();
    const actual = pixelShuffle(x, block);
    expect(actual.shape).toEqual([2, 3 * block, 4 * block, 3]);
    expect(actual.dataSync()).toEqual(expected);
  });

  it('rejects a depth that is not a multiple of the block area', () => {
    expect(() => pixelShuffle(tf.zeros([1, 2, 2, 6]) as tf.Tensor4D, 2)).toThrow(/not a multiple of 2\^2/);
  });
});

function maxDifference(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) return Math.max(0, ...a.map((value, i) => maxDifference(value, b[i])));
  return Math.abs((a as number) - (b as number));
}
