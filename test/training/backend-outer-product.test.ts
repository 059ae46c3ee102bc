import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend/init';
import { wasmSimdOuterProductSum } from '../../training/backend/wasm-simd-filter-gradient';
import { Rng } from '../../training/model/rng';

/** Heap-resident float32 values from a seeded stream in [-1, 1). */
function heapValues(length: number, seed: number): tf.Tensor1D {
  const rng = new Rng(seed);
  return tf.tensor1d(Float32Array.from({ length }, () => 2 * rng.next() - 1));
}

describe('wasmSimdOuterProductSum', () => {
  beforeAll(() => initBackend('wasm'));

  // Runs padded past `cols` on both sides (the strides a padded conv input gives), splat
  // channel counts with and without a remainder after the 4-row tiles, 1 to 24 vector tiles.
  it.each<[number, number, number, number]>([
    [1, 1, 1, 8],
    [3, 5, 7, 16],
    [2, 48, 25, 32],
    [4, 9, 32, 192],
    [5, 3, 4, 8],
    [2, 6, 19, 24],
  ])('%i runs of %i pixels, %i x %i channels: adds the sum of outer products to c', (rows, cols, splat, vec) => {
    const backend = tf.backend() as BackendWasm;
    const [aRowPixels, bRowPixels] = [cols + 2, cols + 1];
    const [a, b, c] = [heapValues(rows * aRowPixels * splat, 1), heapValues(rows * bRowPixels * vec, 2), heapValues(splat * vec, 3)];
    const [av, bv, cv] = [a, b, c].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [Float32Array, Float32Array, Float32Array];
    const expected = Float64Array.from(cv);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < cols; k++) {
        for (let i = 0; i < splat; i++) {
          for (let o = 0; o < vec; o++) expected[i * vec + o]! += av[(r * aRowPixels + k) * splat + i]! * bv[(r * bRowPixels + k) * vec + o]!;
        }
      }
    }
    wasmSimdOuterProductSum(backend)!(av.byteOffset, aRowPixels * splat * 4, bv.byteOffset, bRowPixels * vec * 4, cv.byteOffset, rows, cols, splat, vec);
    const actual = backend.typedArrayFromHeap(c) as Float32Array;
    const tolerance = 1e-6 * rows * cols;
    expected.forEach((value, i) => {
      expect(Math.abs(actual[i]! - value)).toBeLessThan(tolerance);
    });
    for (const t of [a, b, c]) t.dispose();
  });
});
