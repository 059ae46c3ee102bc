import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildArch } from '../../training/archs/index';
import { initBackend, type BackendName } from '../../training/backend/init';
import { NATIVE_BACKEND_PACKAGES } from '../../training/backend/tensorflow-native';
import { Rng } from '../../training/model/rng';
import { TfjsModel } from '../../training/model/tfjs-model';

function randomValues(length: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => 2 * rng.next() - 1);
}

interface ConvCase {
  readonly kernel: number;
  readonly pad: 'same' | 'valid';
  readonly stride: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

/** dL/dx and dL/dW of a conv under a fixed random upstream gradient, on `backend`. */
async function convGradients(backend: BackendName, { kernel, pad, stride, inChannels, outChannels }: ConvCase): Promise<Float32Array[]> {
  await initBackend(backend);
  const [batch, height, width] = [2, 9, 8];
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
  // Channel pairs for every filter-gradient route: no multiple of 8 (XNNPACK routes; the 1x1
  // one transposes whichever side is wider, so both orders), a multiple of 8 on the output
  // side, on the input side only (the SIMD kernel's result is transposed), and on both.
  const channels = [
    [5, 6],
    [7, 3],
    [6, 16],
    [8, 5],
    [16, 24],
  ] as const;
  const cases: ConvCase[] = [1, 3, 5].flatMap((kernel) =>
    (['same', 'valid'] as const).flatMap((pad) =>
      [1, 2].flatMap((stride) => channels.map(([inChannels, outChannels]) => ({ kernel, pad, stride, inChannels, outChannels }))),
    ),
  );

  it.each(cases)('conv $kernel x $kernel, $inChannels -> $outChannels channels, pad $pad, stride $stride: input and filter gradients', async (convCase) => {
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
    cpu.forEach((expected, i) => {
      expect(maxRelativeError(wasm[i]!, expected)).toBeLessThan(1e-4);
    });
  });
});

describe('wasm replacements of stock kernels', () => {
  const on = async <T extends tf.TensorContainer>(backend: BackendName, f: () => T): Promise<T> => {
    await initBackend(backend);
    return tf.tidy(f);
  };

  it.each([false, true])('Sum over batch, height and width (bias gradients) matches cpu, keepDims %s', async (keepDims) => {
    const values = randomValues(3 * 5 * 7 * 4, 8);
    const sum = () => tf.sum(tf.tensor4d(values, [3, 5, 7, 4]), [0, 1, 2], keepDims);
    const [cpu, wasm] = [await on('cpu', () => sum()), await on('wasm', () => sum())];
    expect(wasm.shape).toEqual(keepDims ? [1, 1, 1, 4] : [4]);
    expect(maxRelativeError(wasm.dataSync() as Float32Array, cpu.dataSync() as Float32Array)).toBeLessThan(1e-6);
  });

  it('other Sums keep the stock kernel', async () => {
    const x = () => tf.tensor4d(randomValues(2 * 3 * 4 * 5, 9), [2, 3, 4, 5]);
    const cpu = await on('cpu', () => tf.sum(x(), [1, 3]).dataSync() as Float32Array);
    const wasm = await on('wasm', () => tf.sum(x(), [1, 3]).dataSync() as Float32Array);
    expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-6);
  });

  it('Identity and same-dtype Cast share the buffer, which outlives the original', async () => {
    await initBackend('wasm');
    const original = tf.tensor1d([1, 2, 3]);
    const [copy, cast] = [tf.clone(original), tf.cast(original, 'float32')];
    const backend = tf.backend() as unknown as { getMemoryOffset(dataId: object): number };
    expect(backend.getMemoryOffset(copy.dataId)).toBe(backend.getMemoryOffset(original.dataId));
    expect(backend.getMemoryOffset(cast.dataId)).toBe(backend.getMemoryOffset(original.dataId));
    original.dispose();
    expect([...copy.dataSync(), ...cast.dataSync()]).toEqual([1, 2, 3, 1, 2, 3]);
    expect(tf.cast(copy, 'int32').dtype).toBe('int32');
    tf.dispose([copy, cast]);
  });
});

describe("backend 'tensorflow'", () => {
  it('explains how to install the native binding when it is absent', async () => {
    // Neither binding is a dependency of this project; CI never has them.
    await expect(initBackend('tensorflow')).rejects.toThrow(/npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect(NATIVE_BACKEND_PACKAGES).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });
});
