/**
 * How Emscripten gets one codec's WebAssembly: its bytes (Node, browsers), or an
 * `instantiateWasm` hook that instantiates a module compiled ahead of time (workerd, which refuses
 * to compile bytes at run time). Passed in because each runtime gets its WebAssembly its own way.
 */
export type EmscriptenWasmSource =
  | { readonly wasmBinary: Uint8Array }
  | { readonly instantiateWasm: (imports: object, receiveInstance: (instance: object) => void) => object };

/** An Emscripten module factory (`MODULARIZE`): instantiates the module and resolves to its API. */
export type EmscriptenFactory<T> = (options: object) => Promise<T>;

/** What the codecs' glue builds a decoded image with: `new ImageData(data, width, height)`. */
class DecodedImageData {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

/**
 * Gives runtimes without `ImageData` (workerd, Node) one defined outside any codec module. The
 * glue of @jsquash's codecs defines `globalThis.ImageData` when it is missing, as a class created
 * inside the module's closure: that class, kept by the global object, kept the first instance of
 * whichever codec ran first, and its whole heap, for the isolate's life (measured: 41.4-60.7 MiB
 * of codec heaps left after a full collection; docs/benchmarks.md, "Codec heaps counted").
 */
function defineImageData(): void {
  const scope = globalThis as { ImageData?: unknown };
  scope.ImageData ??= DecodedImageData;
}

/** Runs calls on one codec's WebAssembly instance. */
export interface CodecInstance<T> {
  /** Runs `call` on the instance; a call that throws retires it (Emscripten aborts leave it unusable). */
  use<R>(call: (module: T) => R): Promise<R>;
}

/**
 * One instance of a codec module at a time, reused until V8 collects it. A WebAssembly heap only
 * grows, so a strongly held instance would pin the largest image's heap in the isolate for good;
 * an instance per call leaves one dropped heap per call, and V8 does not count
 * WebAssembly memory when it decides to collect: measured in workerd, dropped libwebp heaps reached
 * 120.8 MiB after six 1254x1254 WebP encodes (docs/benchmarks.md, "Codec heaps counted"). Held
 * weakly, the instance lives as long as V8 keeps it anyway, and while it does every call reuses it,
 * so a codec holds at most one heap: the largest it has grown to since the last collection.
 *
 * @example
 * const encoder = reusedUntilCollected(webpEncoderFactory, { wasmBinary });
 * const bytes = await encoder.use((module) => module.encode(data, width, height, options));
 */
export function reusedUntilCollected<T extends object>(factory: EmscriptenFactory<T>, source: EmscriptenWasmSource): CodecInstance<T> {
  let current: WeakRef<T> | undefined;
  // Strong while instantiating, so that concurrent first calls share one instance.
  let instantiating: Promise<T> | undefined;
  const instance = async (): Promise<T> => {
    const kept = current?.deref();
    if (kept !== undefined) return kept;
    defineImageData();
    instantiating ??= factory({ noInitialRun: true, ...source }).finally(() => (instantiating = undefined));
    const created = await instantiating;
    current = new WeakRef(created);
    return created;
  };
  return {
    async use(call) {
      const module = await instance();
      try {
        return call(module);
      } catch (error) {
        if (current?.deref() === module) current = undefined;
        throw error;
      }
    },
  };
}
