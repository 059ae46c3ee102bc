/**
 * The WebAssembly memories of this isolate's runtimes (onnxruntime, libwebp, libavif), by name.
 * Memory is the binding limit on Workers (128 MB per isolate) and WASM memories only ever grow, so
 * their size is worth watching: the benchmark and the memory-budget tests read it from here. V8's
 * own accounting (the inspector's `Runtime.getHeapUsage`) leaves them out, so this is the only
 * place that sees them.
 */
/** What is read of a memory: its size. */
interface SizedMemory {
  readonly buffer: ArrayBuffer;
}
// Held weakly, so that tracking pins nothing: a heap no longer used still occupies the isolate until
// V8 collects it, and V8 does not count WebAssembly memories among the buffers that make it collect,
// so every memory is listed until then, not only the latest of each name.
const memories: { readonly name: string; readonly memory: WeakRef<SizedMemory> }[] = [];

/** Records a WebAssembly memory under `name` (several may share one: their bytes are summed). */
export function trackWasmMemory(name: string, memory: SizedMemory): void {
  liveMemories(); // drops the collected ones, so the list stays as short as what is alive
  memories.push({ name, memory: new WeakRef(memory) });
}

/**
 * The memory a freshly instantiated module uses: the one it imports (Emscripten builds with threads
 * import theirs) or else the one it exports.
 */
export function instanceMemory(imports: WebAssembly.Imports | undefined, instance: WebAssembly.Instance): WebAssembly.Memory | undefined {
  const candidates = [...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)), ...Object.values(instance.exports)];
  return candidates.find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
}

/** The tracked memories V8 has not collected, the collected ones dropped from the list. */
function liveMemories(): { readonly name: string; readonly memory: SizedMemory }[] {
  const live: { readonly name: string; readonly memory: SizedMemory }[] = [];
  for (let i = memories.length - 1; i >= 0; i--) {
    const { name, memory } = memories[i]!;
    const alive = memory.deref();
    if (alive === undefined) memories.splice(i, 1);
    else live.push({ name, memory: alive });
  }
  return live;
}

/**
 * Bytes held by the WebAssembly memories of each name that V8 has not collected yet: the live
 * ones and dropped ones alike (both occupy the isolate).
 *
 * @example
 * wasmMemoryBytes(); // { onnxruntime: 20185088, codecs: 6291456 }
 */
export function wasmMemoryBytes(): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const { name, memory } of liveMemories()) bytes[name] = (bytes[name] ?? 0) + memory.buffer.byteLength;
  return bytes;
}
