import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readPlanar } from '../../src/core/planar';
import { createWasmSession, ort } from '../../src/inference/ort-wasm';
import { buildArch } from '../../training/archs/index';
import type { NamedWeights } from '../../training/model/weights';
import { TfjsModel } from '../../training/model/tfjs-model';
import { expectInt8Parity, interiorFraction, maxAbs, tfjsForward } from '../training/helpers/parity';
import { paintedImage } from './harness';
import type { ParityModel } from './parity-models';

/**
 * The exporter's promise, checked in the runtime that serves the models: onnxruntime-web's WASM
 * build inside workerd computes what the tfjs forward pass computes. tfjs runs here too (its
 * pure-JS CPU backend) on the very weights the models were exported from in Node by
 * test/training/helpers/worker-parity-setup.ts; nothing is precomputed.
 */
const models = inject('parityModels');
const float = models.filter((m) => m.floatConvs === undefined);
const quantized = models.filter((m) => m.floatConvs !== undefined);

function tfjsModel(model: ParityModel, quantization = true): TfjsModel {
  const weights: NamedWeights = new Map(model.weights.map(({ name, shape, values }) => [name, { shape, data: Float32Array.from(values) }]));
  if (quantization && model.floatConvs !== undefined) return TfjsModel.fromWeights(buildArch(model.config), weights, { floatConvs: model.floatConvs });
  // The network without its rounding: the same variables, the ranges left out.
  const variables = new Map([...weights].filter(([name]) => !name.startsWith('quant/')));
  return TfjsModel.fromWeights(buildArch(model.config), variables);
}

async function ortForward(model: ParityModel, nchw: Float32Array, height: number, width: number): Promise<ort.Tensor> {
  const session = await createWasmSession(Uint8Array.from(model.onnx), {});
  try {
    return (await session.run({ lr: new ort.Tensor('float32', nchw, [1, 3, height, width]) })).sr!;
  } finally {
    await session.release();
  }
}

const [height, width] = [14, 11];
const input = () => readPlanar(paintedImage(width, height), { x: 0, y: 0, width, height }, [0, 1]).data;

describe('ONNX exports in onnxruntime-web (workerd)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has every model the setup exported', () => {
    expect(float.map((m) => m.config.scale)).toEqual([2, 3, 4]);
    expect(quantized).toHaveLength(1);
  });

  it.each(float.map((m) => [m.label, m] as const))('%s, randomly initialised, matches tfjs within 1e-4 on a painted image', async (_, model) => {
    const tfjs = tfjsModel(model);
    try {
      const expected = tfjsForward(tfjs, input(), height, width);
      const actual = await ortForward(model, input(), height, width);
      expect(actual.dims).toEqual([1, 3, height * model.config.scale, width * model.config.scale]);
      expect(interiorFraction(expected)).toBeGreaterThan(0.5);
      expect(maxAbs(expected, actual.data as Float32Array)).toBeLessThan(1e-4);
    } finally {
      tfjs.dispose();
    }
  });

  it.each(quantized.map((m) => [m.label, m] as const))('%s computes what the quantization-aware forward pass computes', async (_, model) => {
    const [aware, plain] = [tfjsModel(model), tfjsModel(model, false)];
    try {
      const int8 = (await ortForward(model, input(), height, width)).data as Float32Array;
      expectInt8Parity(int8, tfjsForward(aware, input(), height, width), tfjsForward(plain, input(), height, width));
    } finally {
      aware.dispose();
      plain.dispose();
    }
  });
});
