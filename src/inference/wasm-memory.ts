/**
 * The WebAssembly memories of this isolate's runtimes (onnxruntime, libwebp), by name. Memory is
 * the binding limit on Workers (128 MB per isolate) and WASM memories only ever grow, so their
 * size is worth watching: the benchmark and the memory-budget tests read it from here.
 */
// Held weakly: libwebp gets a fresh instance per call precisely so that its heap (up to ~52 MB for a
// translucent WebP at the output limit) becomes garbage after the call; a strong reference here
// would pin the last one until the next WebP call. onnxruntime keeps its own memory alive.
const memories = new Map<string, WeakRef<WebAssembly.Memory>>();

/**
 * Records the memory a freshly instantiated module uses: the one it imports (Emscripten builds
 * with threads import theirs) or else the one it exports.
 */
export function trackWasmMemory(name: string, imports: WebAssembly.Imports | undefined, instance: WebAssembly.Instance): void {
  const candidates = [...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)), ...Object.values(instance.exports)];
  const memory = candidates.find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
  if (memory) memories.set(name, new WeakRef(memory));
}

/**
 * Current size in bytes of each tracked WebAssembly memory that is still alive.
 *
 * @example
 * wasmMemoryBytes(); // { onnxruntime: 41943040, 'webp-encoder': 16777216 }
 */
export function wasmMemoryBytes(): Record<string, number> {
  return Object.fromEntries(
    [...memories].flatMap(([name, ref]) => {
      const memory = ref.deref();
      return memory === undefined ? [] : [[name, memory.buffer.byteLength]];
    }),
  );
}
