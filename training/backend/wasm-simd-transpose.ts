import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  brIf,
  get,
  I32,
  i32Add,
  i32Const,
  i32LessThan,
  i32Mul,
  i32Shl,
  onBackendMemory,
  set,
  singleFunctionModule,
  tee,
  V128,
  v128Load,
  v128Store,
  vector,
} from './wasm-module-bytes';

/**
 * Transposes a row-major float32 `[rows, cols]` matrix at byte offset `source` of a wasm
 * memory into `[cols, rows]` at byte offset `target`. Needs `rows % 16 == 0` and
 * `cols % 4 == 0` (see `simdTransposeFits`).
 */
export type SimdTranspose = (source: number, target: number, rows: number, cols: number) => void;

/** The shapes the SIMD transpose handles: whole 16-row by 4-column blocks. */
export function simdTransposeFits(rows: number, cols: number): boolean {
  return rows > 0 && cols > 0 && rows % 16 === 0 && cols % 4 === 0;
}

/**
 * A SIMD transpose working directly on the wasm backend's heap, or undefined when the
 * backend does not expose its memory (then callers keep their JS loop).
 *
 * Why a hand-assembled module: the 1x1 filter gradient must transpose a 36864 x 192
 * activation every call, and neither tfjs-wasm's Transpose (a scalar loop walking the
 * output with a large stride) nor a cache-blocked JS loop (element by element) comes near
 * memory speed. WebAssembly SIMD moves 4 x 4 blocks with 4 loads, 8 shuffles and 4 stores,
 * and 16 source rows per pass fill whole 64-byte lines of each target row: 6.5 ms CPU for
 * that matrix against 31.8 ms for the JS loop (docs/training-speed.md). The module is one
 * function, built below so it needs no toolchain (see wasm-module-bytes.ts).
 */
export function wasmSimdTranspose(backend: BackendWasm): SimdTranspose | undefined {
  return onBackendMemory<SimdTranspose>(backend, 'transpose', transposeModule);
}

/** The module: `transpose(source, target, rows, cols)` over an imported memory `env.memory`. */
function transposeModule(): Uint8Array {
  // Locals: the 4 parameters, 6 i32 and 8 v128 (the 4 loaded rows, 4 half-transposed pairs).
  const [SOURCE, TARGET, ROWS, COLS, R, C, S, D, SOURCE_ROW, TARGET_ROW, A, B, CC, DD, T0, T1, T2, T3] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
  ] as const;
  const [add, mul, shl, lessThan, load, store] = [i32Add, i32Mul, i32Shl, i32LessThan, v128Load(), v128Store];
  /** i8x16.shuffle picking four 32-bit lanes (0-3 of the first operand, 4-7 of the second). */
  const lanes = (picks: number[]) => [0xfd, 0x0d, ...picks.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3])];
  /** Source row `r + row`, target row `c + column` of the current block. */
  const sourceRow = (row: number) => [...get(S), ...get(SOURCE_ROW), ...i32Const(row), ...mul, ...add];
  const targetRow = (column: number) => [...get(D), ...get(TARGET_ROW), ...i32Const(column), ...mul, ...add];
  // One 4 x 4 block per k: rows r+4k .. r+4k+3 become 16 bytes at offset 16k of 4 target rows.
  const block = (k: number): number[] => [
    ...sourceRow(4 * k),
    ...load,
    ...set(A),
    ...sourceRow(4 * k + 1),
    ...load,
    ...set(B),
    ...sourceRow(4 * k + 2),
    ...load,
    ...set(CC),
    ...sourceRow(4 * k + 3),
    ...load,
    ...set(DD),
    ...get(A),
    ...get(B),
    ...lanes([0, 4, 1, 5]),
    ...set(T0), // a0 b0 a1 b1
    ...get(A),
    ...get(B),
    ...lanes([2, 6, 3, 7]),
    ...set(T1), // a2 b2 a3 b3
    ...get(CC),
    ...get(DD),
    ...lanes([0, 4, 1, 5]),
    ...set(T2), // c0 d0 c1 d1
    ...get(CC),
    ...get(DD),
    ...lanes([2, 6, 3, 7]),
    ...set(T3), // c2 d2 c3 d3
    ...targetRow(0),
    ...get(T0),
    ...get(T2),
    ...lanes([0, 1, 4, 5]),
    ...store(16 * k), // a0 b0 c0 d0
    ...targetRow(1),
    ...get(T0),
    ...get(T2),
    ...lanes([2, 3, 6, 7]),
    ...store(16 * k),
    ...targetRow(2),
    ...get(T1),
    ...get(T3),
    ...lanes([0, 1, 4, 5]),
    ...store(16 * k),
    ...targetRow(3),
    ...get(T1),
    ...get(T3),
    ...lanes([2, 3, 6, 7]),
    ...store(16 * k),
  ];
  const code = [
    ...get(COLS),
    ...i32Const(2),
    ...shl,
    ...set(SOURCE_ROW), // bytes per source row
    ...get(ROWS),
    ...i32Const(2),
    ...shl,
    ...set(TARGET_ROW), // bytes per target row
    ...i32Const(0),
    ...set(R),
    0x03,
    0x40, // loop over 16-row bands
    ...i32Const(0),
    ...set(C),
    0x03,
    0x40, // loop over 4-column blocks
    ...get(SOURCE),
    ...get(R),
    ...get(COLS),
    ...mul,
    ...get(C),
    ...add,
    ...i32Const(2),
    ...shl,
    ...add,
    ...set(S),
    ...get(TARGET),
    ...get(C),
    ...get(ROWS),
    ...mul,
    ...get(R),
    ...add,
    ...i32Const(2),
    ...shl,
    ...add,
    ...set(D),
    ...[0, 1, 2, 3].flatMap(block),
    ...get(C),
    ...i32Const(4),
    ...add,
    ...tee(C),
    ...get(COLS),
    ...lessThan,
    ...brIf(0), // to the column loop
    0x0b,
    ...get(R),
    ...i32Const(16),
    ...add,
    ...tee(R),
    ...get(ROWS),
    ...lessThan,
    ...brIf(0), // to the band loop
    0x0b,
  ];
  return singleFunctionModule(
    'transpose',
    4,
    vector([
      [6, I32],
      [8, V128],
    ]),
    code,
  ); // locals: 6 i32, 8 v128
}
