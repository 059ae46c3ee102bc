/**
 * The WebAssembly memories of this isolate's runtimes (onnxruntime, libwebp), by name. Memory is
 * the binding limit on Workers (128 MB per isolate) and WASM memories only ever grow, so their
 * size is worth watching: the benchmark and the memory-budget tests read it from here.
 */
const memories = new Map<string, WebAssembly.Memory>();

/**
 * Records the memory a freshly instantiated module uses: the one it imports (Emscripten builds
 * with threads import theirs) or else the one it exports.
 */
export function trackWasmMemory(name: string, imports: WebAssembly.Imports | undefined, instance: WebAssembly.Instance): void {
  const candidates = [...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)), ...Object.values(instance.exports)];
  const memory = candidates.find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
  if (memory) memories.set(name, memory);
}

/**
 * Current size in bytes of each tracked WebAssembly memory.
 *
 * @example
 * wasmMemoryBytes(); // { onnxruntime: 41943040, 'webp-encoder': 16777216 }
 */
export function wasmMemoryBytes(): Record<string, number> {
  return Object.fromEntries([...memories].map(([name, memory]) => [name, memory.buffer.byteLength]));
}
