import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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

/** The part of the WebAssembly JS API used here (TypeScript declares it in the DOM lib, which the Node build leaves out). */
interface WebAssemblyApi {
  readonly Memory: abstract new (...args: never[]) => object;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

const instances = new WeakMap<object, SimdTranspose>();

/**
 * A SIMD transpose working directly on the wasm backend's heap, or undefined when the
 * backend does not expose its memory (then callers keep their JS loop).
 *
 * Why a hand-assembled module: the 1x1 filter gradient must transpose a 36864 x 192
 * activation every call, and neither tfjs-wasm's Transpose (a scalar loop walking the
 * output with a large stride) nor a cache-blocked JS loop (element by element) comes near
 * memory speed. WebAssembly SIMD moves 4 x 4 blocks with 4 loads, 8 shuffles and 4 stores,
 * and 16 source rows per pass fill whole 64-byte lines of each target row: 6.5 ms CPU for
 * that matrix against 31.8 ms for the JS loop (docs/training-speed.md). The module is 4 sections and one function, built below so it
 * needs no toolchain; it imports the backend's `WebAssembly.Memory` (Emscripten's
 * `Module.asm.memory`), so it always sees the heap as it is, grown or not.
 */
export function wasmSimdTranspose(backend: BackendWasm): SimdTranspose | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof wasm.Memory)) return undefined;
  let transpose = instances.get(memory);
  if (transpose === undefined) {
    const instance = new wasm.Instance(new wasm.Module(transposeModule()), { env: { memory } });
    transpose = instance.exports.transpose as SimdTranspose;
    instances.set(memory, transpose);
  }
  return transpose;
}

const uleb = (value: number): number[] => {
  const bytes: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    bytes.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return bytes;
};
/** i32.const for the small non-negative constants below, whose signed LEB128 is one byte. */
const i32Const = (value: number): number[] => {
  if (!Number.isInteger(value) || value < 0 || value >= 64) throw new RangeError(`i32Const: ${value} needs more than one byte`);
  return [0x41, value];
};
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** The module: `transpose(source, target, rows, cols)` over an imported memory `env.memory`. */
function transposeModule(): Uint8Array {
  // Locals: the 4 parameters, 6 i32 and 8 v128 (the 4 loaded rows, 4 half-transposed pairs).
  const [SOURCE, TARGET, ROWS, COLS, R, C, S, D, SOURCE_ROW, TARGET_ROW, A, B, CC, DD, T0, T1, T2, T3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17] as const;
  const get = (local: number) => [0x20, local];
  const set = (local: number) => [0x21, local];
  const tee = (local: number) => [0x22, local];
  const [add, mul, shl, lessThan] = [[0x6a], [0x6c], [0x74], [0x49]];
  const load = [0xfd, 0x00, 0x00, 0x00];
  const store = (offset: number) => [0xfd, 0x0b, 0x00, ...uleb(offset)];
  /** i8x16.shuffle picking four 32-bit lanes (0-3 of the first operand, 4-7 of the second). */
  const lanes = (picks: number[]) => [0xfd, 0x0d, ...picks.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3])];
  /** Source row `r + row`, target row `c + column` of the current block. */
  const sourceRow = (row: number) => [...get(S), ...get(SOURCE_ROW), ...i32Const(row), ...mul, ...add];
  const targetRow = (column: number) => [...get(D), ...get(TARGET_ROW), ...i32Const(column), ...mul, ...add];
  // One 4 x 4 block per k: rows r+4k .. r+4k+3 become 16 bytes at offset 16k of 4 target rows.
  const block = (k: number): number[] => [
    ...sourceRow(4 * k), ...load, ...set(A),
    ...sourceRow(4 * k + 1), ...load, ...set(B),
    ...sourceRow(4 * k + 2), ...load, ...set(CC),
    ...sourceRow(4 * k + 3), ...load, ...set(DD),
    ...get(A), ...get(B), ...lanes([0, 4, 1, 5]), ...set(T0), // a0 b0 a1 b1
    ...get(A), ...get(B), ...lanes([2, 6, 3, 7]), ...set(T1), // a2 b2 a3 b3
    ...get(CC), ...get(DD), ...lanes([0, 4, 1, 5]), ...set(T2), // c0 d0 c1 d1
    ...get(CC), ...get(DD), ...lanes([2, 6, 3, 7]), ...set(T3), // c2 d2 c3 d3
    ...targetRow(0), ...get(T0), ...get(T2), ...lanes([0, 1, 4, 5]), ...store(16 * k), // a0 b0 c0 d0
    ...targetRow(1), ...get(T0), ...get(T2), ...lanes([2, 3, 6, 7]), ...store(16 * k),
    ...targetRow(2), ...get(T1), ...get(T3), ...lanes([0, 1, 4, 5]), ...store(16 * k),
    ...targetRow(3), ...get(T1), ...get(T3), ...lanes([2, 3, 6, 7]), ...store(16 * k),
  ];
  const body = [
    ...vector([[6, 0x7f], [8, 0x7b]]), // locals: 6 i32, 8 v128
    ...get(COLS), ...i32Const(2), ...shl, ...set(SOURCE_ROW), // bytes per source row
    ...get(ROWS), ...i32Const(2), ...shl, ...set(TARGET_ROW), // bytes per target row
    ...i32Const(0), ...set(R),
    0x03, 0x40, // loop over 16-row bands
    ...i32Const(0), ...set(C),
    0x03, 0x40, // loop over 4-column blocks
    ...get(SOURCE), ...get(R), ...get(COLS), ...mul, ...get(C), ...add, ...i32Const(2), ...shl, ...add, ...set(S),
    ...get(TARGET), ...get(C), ...get(ROWS), ...mul, ...get(R), ...add, ...i32Const(2), ...shl, ...add, ...set(D),
    ...[0, 1, 2, 3].flatMap(block),
    ...get(C), ...i32Const(4), ...add, ...tee(C), ...get(COLS), ...lessThan, 0x0d, 0, // br_if to the column loop
    0x0b,
    ...get(R), ...i32Const(16), ...add, ...tee(R), ...get(ROWS), ...lessThan, 0x0d, 0, // br_if to the band loop
    0x0b,
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([[0x7f], [0x7f], [0x7f], [0x7f]]), 0x00]])), // (i32 x 4) -> ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, at least 1 page
    ...section(3, vector([[0x00]])),
    ...section(7, vector([[...name('transpose'), 0x00, 0x00]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}
