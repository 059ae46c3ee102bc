/**
 * The part of the WebAssembly API Node-side tests and scripts use: tsconfig.node.json's libraries
 * leave the `WebAssembly` globals out, so they are typed here once.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The memory an instance exports (Emscripten's modules export their heap). */
export function exportedMemory(instance: WasmInstance): WasmMemory | undefined {
  return Object.values(instance.exports).find((value): value is WasmMemory => value instanceof wasmApi.Memory);
}

/** `value` as unsigned LEB128, as the binary format writes sizes, counts and indices. */
export function leb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value ? byte | 0x80 : byte);
  } while (value);
  return out;
}

/** `value` as signed LEB128 (an `i32.const` operand). */
export function signedLeb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A name as the binary format writes it: its UTF-8 length, then its bytes. */
export function wasmName(text: string): number[] {
  return [...leb(text.length), ...Buffer.from(text)];
}

/** A module's bytes from its sections (id and payload each), in the order given. */
export function wasmModule(sections: readonly { readonly id: number; readonly payload: readonly number[] }[]): Uint8Array {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...sections.flatMap(({ id, payload }) => [id, ...leb(payload.length), ...payload]),
  ]);
}
