import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { initBackend, type BackendName } from '../../training/backend/init';
import { NATIVE_BACKEND_PACKAGES } from '../../training/backend/tensorflow-native';
import { Rng } from '../../training/data/rng';
import { TfjsModel } from '../../training/model/tfjs-model';

function randomValues(length: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => 2 * rng.next() - 1);
}

interface ConvCase {
  readonly kernel: number;
  readonly pad: 'same' | 'valid';
  readonly stride: number;
}

/** dL/dx and dL/dW of a conv under a fixed random upstream gradient, on `backend`. */
async function convGradients(backend: BackendName, { kernel, pad, stride }: ConvCase): Promise<Float32Array[]> {
  await initBackend(backend);
  const [batch, height, width, inChannels, outChannels] = [2, 9, 8, 5, 6];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(batch * height * width * inChannels, 1), [batch, height, width, inChannels]);
    const filter = tf.tensor4d(randomValues(kernel * kernel * inChannels * outChannels, 2), [kernel, kernel, inChannels, outChannels]);
    const probe = (y: tf.Tensor4D) => tf.sum(tf.mul(y, tf.tensor(randomValues(y.size, 3), y.shape)));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => probe(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)))([x, filter]);
    return [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  });
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...actual.map((value, i) => Math.abs(value - expected[i]!))) / scale;
}

describe('wasm training kernels agree with the cpu backend', () => {
  const cases: ConvCase[] = [1, 3, 5].flatMap((kernel) =>
    (['same', 'valid'] as const).flatMap((pad) => [1, 2].map((stride) => ({ kernel, pad, stride }))),
  );

  it.each(cases)('conv $kernel x $kernel, pad $pad, stride $stride: input and filter gradients', async (convCase) => {
    const [cpuDx, cpuDw] = await convGradients('cpu', convCase);
    const [wasmDx, wasmDw] = await convGradients('wasm', convCase);
    expect(maxRelativeError(wasmDx!, cpuDx!)).toBeLessThan(1e-5);
    expect(maxRelativeError(wasmDw!, cpuDw!)).toBeLessThan(1e-5);
  });

  it('whole-network gradients of WDSR-B (weight norm, batch 2) match', async () => {
    const graph = buildArch({ arch: 'wdsr_b', scale: 2, nFeats: 8, nBlocks: 2, expansion: 4, lowRank: 0.8, resScale: 1, normalization: 'weight' });
    const weights = (() => {
      const model = TfjsModel.create(graph, 3);
      const named = model.namedWeights();
      model.dispose();
      return named;
    })();
    const gradientsOn = async (backend: BackendName) => {
      await initBackend(backend);
      const model = TfjsModel.fromWeights(graph, weights);
      const result = tf.tidy(() => {
        const lr = tf.tensor4d(randomValues(2 * 7 * 6 * 3, 4).map(Math.abs), [2, 7, 6, 3]);
        const hr = tf.tensor4d(randomValues(2 * 14 * 12 * 3, 5).map(Math.abs), [2, 14, 12, 3]);
        const { grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(model.forward(lr, true), hr))), model.trainableVariables);
        return model.trainableVariables.map((variable) => grads[variable.name]!.dataSync() as Float32Array);
      });
      model.dispose();
      return result;
    };
    const cpu = await gradientsOn('cpu');
    const wasm = await gradientsOn('wasm');
    cpu.forEach((expected, i) => expect(maxRelativeError(wasm[i]!, expected)).toBeLessThan(1e-4));
  });
});

describe("backend 'tensorflow'", () => {
  it('explains how to install the native binding when it is absent', async () => {
    // Neither binding is a dependency of this project; CI never has them.
    await expect(initBackend('tensorflow')).rejects.toThrow(/npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect(NATIVE_BACKEND_PACKAGES).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });
});
