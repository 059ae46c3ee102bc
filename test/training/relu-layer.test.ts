import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../training/backend/init';
import { Rng } from '../../training/model/rng';
import { reluLayer } from '../../training/model/relu-layer';

/** Values in [-1, 1) with exact zeros mixed in, so the `x > 0` boundary is exercised. */
function values(length: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, (_, i) => (i % 7 === 0 ? 0 : 2 * rng.next() - 1));
}

/** The layer's value and gradient under upstream gradient `dy`, -0 read as 0. */
async function valueAndGradient(backend: BackendName, shape: [number, number, number, number]): Promise<number[][]> {
  await initBackend(backend);
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor4d(values(size, 1), shape);
    const dy = tf.tensor4d(values(size, 2), shape);
    const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => reluLayer(input as tf.Tensor4D))(x, dy);
    return [value, grad].map((t) => Array.from(t.dataSync(), (v) => v + 0));
  });
}

describe('reluLayer', () => {
  // 2*3*5*7 = 210 values: 52 SIMD groups of 4 and a tail of 2; 4*4*4*8: groups only.
  it.each<[number, number, number, number]>([
    [2, 3, 5, 7],
    [4, 4, 4, 8],
    [1, 1, 1, 3],
  ])("%i x %i x %i x %i: relu and its gradient on wasm equal the cpu backend's dy * step(x) exactly", async (...shape) => {
    const [cpuValue, cpuGradient] = await valueAndGradient('cpu', shape);
    const [wasmValue, wasmGradient] = await valueAndGradient('wasm', shape);
    expect(wasmValue).toEqual(cpuValue);
    expect(wasmGradient).toEqual(cpuGradient);
    expect(wasmGradient!.filter((v) => v !== 0).length).toBeGreaterThan(0);
    expect(wasmGradient!.filter((v) => v === 0).length).toBeGreaterThan(0);
  });
});
