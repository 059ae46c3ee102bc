import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  brIf,
  f32x4Add,
  f32x4Mul,
  get,
  I32,
  i32Add,
  i32Const,
  i32LessOrEqual,
  i32LessThan,
  i32Mul,
  i32Shl,
  i32Sub,
  onBackendMemory,
  set,
  singleFunctionModule,
  tee,
  V128,
  v128Load,
  v128Load32Splat,
  v128Store,
  vector,
} from './wasm-module-bytes';

/**
 * `c[i, o] += sum over r < rows, k < cols of a[r, k, i] * b[r, k, o]` on a wasm memory:
 * `a` and `b` are `rows` runs of `cols` pixels, each pixel `splatChannels` (a) or
 * `vectorChannels` (b) contiguous float32 values, a run starting `aRowBytes` (`bRowBytes`)
 * after the previous one; `c` is `[splatChannels, vectorChannels]`, row-major. All
 * addresses are byte offsets. Needs `vectorChannels % 8 == 0` and `rows, cols >= 1`.
 */
export type SimdOuterProductSum = (
  a: number,
  aRowBytes: number,
  b: number,
  bRowBytes: number,
  c: number,
  rows: number,
  cols: number,
  splatChannels: number,
  vectorChannels: number,
) => void;

/** Output channels per register tile: two v128 of the `b` side. */
export const VECTOR_TILE = 8;

/**
 * The kernel of the SIMD filter gradient (wasm-conv-backprop-filter.ts), working directly
 * on the wasm backend's heap; undefined when the backend does not expose its memory.
 *
 * Why hand-assembled: tfjs-wasm can only reach XNNPACK's matrix product, whose kernels
 * loop over the whole reduction (tens of thousands of pixels) for each small output tile,
 * so every tile streams both operands from memory again, and whose operands must first be
 * transposed. Here one run of pixels (one image row, at most a few tens of KB of each
 * operand) is used by every output tile while it is in cache, the operands are read in
 * their NHWC layout, and the output tile of 4 x 8 values stays in 8 SIMD registers over the
 * run: per pixel 2 vector loads, 4 splat loads, 8 multiplies and 8 adds.
 */
export function wasmSimdOuterProductSum(backend: BackendWasm): SimdOuterProductSum | undefined {
  return onBackendMemory<SimdOuterProductSum>(backend, 'outerProductSum', outerProductSumModule);
}

function outerProductSumModule(): Uint8Array {
  const [A, A_ROW, B, B_ROW, C, ROWS, COLS, SPLAT, VEC] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
  // i32 locals
  const [R, A_RUN, B_RUN, I0, O0, K, AP, BP, CP, A_STEP, B_STEP, C_ROW] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] as const;
  // v128 locals: the two b vectors of a pixel, one splat, 4 x 2 accumulators
  const [B0, B1, S] = [21, 22, 23] as const;
  const ACC = (row: number, half: number) => 24 + 2 * row + half;
  const [add, sub, mul, shl, lessThan, lessOrEqual] = [i32Add, i32Sub, i32Mul, i32Shl, i32LessThan, i32LessOrEqual];
  const [load, store, loadSplat] = [v128Load, v128Store, v128Load32Splat];
  /** `while (condition) body`: a block that skips a do-while loop when the condition fails on entry. */
  const whileLoop = (condition: number[], body: number[]) => [
    0x02,
    0x40,
    ...condition,
    0x45,
    ...brIf(0), // i32.eqz: leave when false
    0x03,
    0x40,
    ...body,
    ...condition,
    ...brIf(0),
    0x0b,
    0x0b,
  ];
  /** Address of row `row` of the current output tile: `c + (i0 + row) * vec * 4 + o0 * 4`. */
  const tileRow = (row: number) => [...get(CP), ...get(C_ROW), ...i32Const(row), ...mul, ...add];
  /** One `rowsPerTile` x 8 output tile at (I0, O0) over the current run of pixels. */
  const tile = (rowsPerTile: number): number[] => {
    const rows = [...Array(rowsPerTile).keys()];
    return [
      ...get(C),
      ...get(I0),
      ...get(VEC),
      ...mul,
      ...get(O0),
      ...add,
      ...i32Const(2),
      ...shl,
      ...add,
      ...set(CP),
      ...rows.flatMap((row) => [...tileRow(row), ...load(0), ...set(ACC(row, 0)), ...tileRow(row), ...load(16), ...set(ACC(row, 1))]),
      ...get(A_RUN),
      ...get(I0),
      ...i32Const(2),
      ...shl,
      ...add,
      ...set(AP),
      ...get(B_RUN),
      ...get(O0),
      ...i32Const(2),
      ...shl,
      ...add,
      ...set(BP),
      ...get(COLS),
      ...set(K),
      0x03,
      0x40, // loop over the run's pixels
      ...get(BP),
      ...load(0),
      ...set(B0),
      ...get(BP),
      ...load(16),
      ...set(B1),
      ...rows.flatMap((row) => [
        ...get(AP),
        ...loadSplat(4 * row),
        ...set(S),
        ...get(ACC(row, 0)),
        ...get(S),
        ...get(B0),
        ...f32x4Mul,
        ...f32x4Add,
        ...set(ACC(row, 0)),
        ...get(ACC(row, 1)),
        ...get(S),
        ...get(B1),
        ...f32x4Mul,
        ...f32x4Add,
        ...set(ACC(row, 1)),
      ]),
      ...get(AP),
      ...get(A_STEP),
      ...add,
      ...set(AP),
      ...get(BP),
      ...get(B_STEP),
      ...add,
      ...set(BP),
      ...get(K),
      ...i32Const(1),
      ...sub,
      ...tee(K),
      ...brIf(0),
      0x0b,
      ...rows.flatMap((row) => [...tileRow(row), ...get(ACC(row, 0)), ...store(0), ...tileRow(row), ...get(ACC(row, 1)), ...store(16)]),
    ];
  };
  /** Every 8-wide column tile of the output rows starting at I0, `rowsPerTile` rows at a time. */
  const tileRowBand = (rowsPerTile: number) => [
    ...i32Const(0),
    ...set(O0),
    0x03,
    0x40,
    ...tile(rowsPerTile),
    ...get(O0),
    ...i32Const(VECTOR_TILE),
    ...add,
    ...tee(O0),
    ...get(VEC),
    ...lessThan,
    ...brIf(0),
    0x0b,
    ...get(I0),
    ...i32Const(rowsPerTile),
    ...add,
    ...set(I0),
  ];
  const code = [
    ...get(SPLAT),
    ...i32Const(2),
    ...shl,
    ...set(A_STEP),
    ...get(VEC),
    ...i32Const(2),
    ...shl,
    ...tee(B_STEP),
    ...set(C_ROW),
    ...get(A),
    ...set(A_RUN),
    ...get(B),
    ...set(B_RUN),
    ...get(ROWS),
    ...set(R),
    0x03,
    0x40, // loop over runs
    ...i32Const(0),
    ...set(I0),
    ...whileLoop([...get(I0), ...i32Const(4), ...add, ...get(SPLAT), ...lessOrEqual], tileRowBand(4)),
    ...whileLoop([...get(I0), ...get(SPLAT), ...lessThan], tileRowBand(1)),
    ...get(A_RUN),
    ...get(A_ROW),
    ...add,
    ...set(A_RUN),
    ...get(B_RUN),
    ...get(B_ROW),
    ...add,
    ...set(B_RUN),
    ...get(R),
    ...i32Const(1),
    ...sub,
    ...tee(R),
    ...brIf(0),
    0x0b,
  ];
  return singleFunctionModule(
    'outerProductSum',
    9,
    vector([
      [12, I32],
      [3 + 8, V128],
    ]),
    code,
  );
}
