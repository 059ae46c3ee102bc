import { MODULE_HEADER, section } from '../../training/backend/wasm-module-bytes';
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

/** A module's bytes from its sections (id and payload each), in the order given. */
export function wasmModule(sections: readonly { readonly id: number; readonly payload: number[] }[]): Uint8Array {
  return new Uint8Array([...MODULE_HEADER, ...sections.flatMap(({ id, payload }) => section(id, payload))]);
}
