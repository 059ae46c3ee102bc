import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdTransposeFits, wasmSimdTranspose } from './wasm-simd-transpose';

/** Tile of the cache-blocked transpose: 256 source rows by 16 columns (measured best of 6 shapes). */
const ROW_BLOCK = 256;
const COLUMN_BLOCK = 16;

/**
 * Transposes a row-major float32 `[rows, cols]` matrix into a new `[cols, rows]` tensor,
 * directly on the wasm heap: with WebAssembly SIMD when the shape allows (see
 * wasm-simd-transpose.ts), otherwise in JS, tile by tile so both sides stay in cache and
 * the writes are sequential. For the 36864 x 192 activations of a training step: 6.5 ms
 * CPU with SIMD, 31.8 ms in JS (same process, docs/training-speed.md); tfjs-wasm's
 * Transpose kernel, which walks the output with a large stride, took 66 ms.
 */
export function transposeMatrixOnHeap(backend: BackendWasm, x: TensorInfo, rows: number, cols: number): TensorInfo {
  if (x.dtype !== 'float32' || rows * cols !== x.shape.reduce((a, b) => a * b, 1)) {
    throw new Error(`transposeMatrixOnHeap: expected ${rows * cols} float32 values, got ${x.dtype} [${x.shape.join(', ')}]`);
  }
  const out = backend.makeOutput([cols, rows], 'float32');
  // Views are taken after allocating: a heap growth detaches earlier ones.
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  const simd = simdTransposeFits(rows, cols) ? wasmSimdTranspose(backend) : undefined;
  if (simd !== undefined) {
    simd(source.byteOffset, target.byteOffset, rows, cols);
    return out;
  }
  for (let c0 = 0; c0 < cols; c0 += COLUMN_BLOCK) {
    const c1 = Math.min(c0 + COLUMN_BLOCK, cols);
    for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
      const r1 = Math.min(r0 + ROW_BLOCK, rows);
      for (let c = c0; c < c1; c++) {
        let from = r0 * cols + c;
        let to = c * rows + r0;
        for (let r = r0; r < r1; r++, from += cols) target[to++] = source[from]!;
      }
    }
  }
  return out;
}
