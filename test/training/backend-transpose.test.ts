import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { transposeMatrixOnHeap } from '../../training/backend/heap-transpose';
import { initBackend } from '../../training/backend/init';
import { simdTransposeFits, wasmSimdTranspose } from '../../training/backend/wasm-simd-transpose';
import { release } from '../../training/backend/wasm-kernel-calls';

/** transposeMatrixOnHeap's result for a `[rows, cols]` matrix holding 0, 1, 2, ... */
function transposed(rows: number, cols: number): Float32Array {
  const backend = tf.backend() as BackendWasm;
  const x = tf.range(0, rows * cols, 1, 'float32');
  const out = transposeMatrixOnHeap(backend, { dataId: x.dataId, shape: [rows, cols], dtype: 'float32' }, rows, cols);
  const values = Float32Array.from(backend.typedArrayFromHeap(out) as Float32Array);
  release(backend, out);
  x.dispose();
  return values;
}

describe('transposeMatrixOnHeap', () => {
  beforeAll(() => initBackend('wasm'));

  it('has the SIMD transpose on this tfjs-backend-wasm (it reaches the backend memory)', () => {
    expect(wasmSimdTranspose(tf.backend() as BackendWasm)).toBeTypeOf('function');
  });

  it.each<[number, number, boolean]>([
    [16, 4, true],
    [48, 192, true],
    [2304, 32, true],
    [144, 7, false],
    [9, 8, false],
    [1, 1, false],
  ])('transposes %i x %i exactly (SIMD: %s)', (rows, cols, simd) => {
    expect(simdTransposeFits(rows, cols)).toBe(simd);
    const expected = Float32Array.from({ length: rows * cols }, (_, i) => (i % rows) * cols + Math.floor(i / rows));
    expect(transposed(rows, cols)).toEqual(expected);
  });
});
