import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The few pieces of the WebAssembly binary format that this project's hand-assembled
 * SIMD modules (wasm-simd-transpose.ts, wasm-simd-filter-gradient.ts, wasm-relu-backprop.ts)
 * need, and their instantiation on the tfjs-wasm backend's own memory, so they work on
 * tensors where they lie.
 */

/** The part of the WebAssembly JS API used here (TypeScript declares it in the DOM lib, which the Node build leaves out). */
interface WebAssemblyApi {
  readonly Memory: abstract new (...args: never[]) => object;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

/** `value` as unsigned LEB128, as the binary format writes sizes, counts, indices and limits. */
export const uleb = (value: number): number[] => {
  const bytes: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    bytes.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return bytes;
};

/** `value` as signed LEB128 (an `i32.const` operand). */
export const sleb = (value: number): number[] => {
  const bytes: number[] = [];
  for (;;) {
    const low = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (low & 0x40) === 0) || (value === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
};

/** i32.const for the small non-negative constants of these modules, whose signed LEB128 is one byte. */
export const i32Const = (value: number): number[] => {
  if (!Number.isInteger(value) || value < 0 || value >= 64) throw new RangeError(`i32Const: ${value} needs more than one byte`);
  return [0x41, value];
};

export const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A name as the binary format writes it: its length, then its bytes (ASCII names only). */
export const name = (text: string): number[] => [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
/** A section: its id, its size, its body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** The magic number and version every module starts with. */
export const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export const I32 = 0x7f;
export const V128 = 0x7b;

/** local.get, local.set and local.tee of local `index`. */
export const get = (index: number): number[] => [0x20, index];
export const set = (index: number): number[] => [0x21, index];
export const tee = (index: number): number[] => [0x22, index];

/** The instructions the modules use. Their i32 values are small and non-negative, so signed comparisons serve. */
export const i32Add = [0x6a];
export const i32Sub = [0x6b];
export const i32Mul = [0x6c];
export const i32Shl = [0x74];
export const i32LessThan = [0x48];
export const i32LessOrEqual = [0x4c];
/** br_if to the enclosing block or loop `depth` levels out. */
export const brIf = (depth: number): number[] => [0x0d, depth];
/** SIMD memory access at the address on the stack plus `offset` bytes (alignment hint 1 byte). */
export const v128Load = (offset = 0): number[] => [0xfd, 0x00, 0x00, ...uleb(offset)];
export const v128Store = (offset = 0): number[] => [0xfd, 0x0b, 0x00, ...uleb(offset)];
export const v128Load32Splat = (offset = 0): number[] => [0xfd, 0x09, 0x00, ...uleb(offset)];
export const f32x4Add = [0xfd, 0xe4, 0x01];
export const f32x4Mul = [0xfd, 0xe6, 0x01];
export const f32x4GreaterThan = [0xfd, 0x44];
export const v128And = [0xfd, 0x4e];

/**
 * A module importing `env.memory` and exporting one function `exportName` of `params` i32
 * parameters and no result, whose body is `locals` (a `vector` of local declarations)
 * followed by `code` (without the final `end`).
 */
export function singleFunctionModule(exportName: string, params: number, locals: number[], code: number[]): Uint8Array {
  const body = [...locals, ...code, 0x0b];
  return new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, vector([[0x60, ...vector(Array.from({ length: params }, () => [I32])), 0x00]])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, at least 1 page
    ...section(3, vector([[0x00]])),
    ...section(7, vector([[...name(exportName), 0x00, 0x00]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

const instances = new WeakMap<object, Map<string, unknown>>();

/**
 * The exported function of `build()`'s module, instantiated once per backend memory
 * (Emscripten's `Module.asm.memory`, imported, so it always sees the heap as it is, grown
 * or not); undefined when the backend does not expose its memory, and callers then keep
 * their portable path.
 */
export function onBackendMemory<F>(backend: BackendWasm, exportName: string, build: () => Uint8Array): F | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof wasm.Memory)) return undefined;
  let functions = instances.get(memory);
  if (functions === undefined) {
    functions = new Map();
    instances.set(memory, functions);
  }
  let f = functions.get(exportName);
  if (f === undefined) {
    f = new wasm.Instance(new wasm.Module(build()), { env: { memory } }).exports[exportName];
    functions.set(exportName, f);
  }
  return f as F;
}
