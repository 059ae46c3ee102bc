/**
 * The heap every codec module runs in: the import `npm run build:codec-wasm` gives the modules the
 * Worker bundles in place of the memory each defined, the size it starts at and the most it may
 * grow to. 6 MiB holds the largest module's static data and stack (libavif's encoder: 5.9 MiB, most
 * of it Emscripten's 5 MiB stack). 64 MiB bounds what the codecs can ever take from the isolate:
 * every call the limits admit measured at most 41.9 MiB (a 1 Mi-pixel translucent AVIF or WebP
 * encode, noise included), and a call that would need more fails (its codec reports an error, and
 * that request gets a logged 500) instead of growing the isolate past its 128 MB
 * (docs/benchmarks.md, "One codec heap").
 */
export const CODEC_HEAP = { module: 'wdsr', field: 'heap', initialPages: 96, maximumPages: 1024 } as const;

/** An Emscripten module factory (`MODULARIZE`): instantiates the module and resolves to its API. */
export type EmscriptenFactory<T> = (options: object) => Promise<T>;

/**
 * A codec module compiled ahead of time (workerd refuses to compile bytes at run time), built to
 * import its memory as {@link CODEC_HEAP}: a `WebAssembly.Module`, opaque here, as the codecs
 * never look inside.
 */
export type CodecModule = object;

/** The part of the WebAssembly API the heap uses (the codecs' TypeScript configuration has no DOM or Workers types). */
export interface HeapMemory {
  readonly buffer: ArrayBuffer;
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number; maximum: number }) => HeapMemory;
      Instance: new (module: CodecModule, imports: object) => { readonly exports: object };
    };
  }
).WebAssembly;

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

/** Runs calls on one codec module's instance in the shared heap. */
interface CodecInstance<T> {
  /** Runs `call` on the instance; a call that throws retires it (Emscripten aborts leave it unusable). */
  use<R>(call: (module: T) => R): Promise<R>;
}

export interface CodecHeap {
  /** The codec module `module`, instantiated by its glue's `factory`, in this heap. */
  codec<T extends object>(factory: EmscriptenFactory<T>, module: CodecModule): CodecInstance<T>;
}

/**
 * One WebAssembly memory that every codec module of the isolate runs in, one module at a time. A
 * WebAssembly memory never shrinks and V8 does not count them when it decides to collect, so heaps
 * of their own added up until a collection: libwebp's encoder heap (41.4 MiB after a 1 Mi-pixel
 * translucent WebP), its decoder's (21.9 after a 2048x2048 source) and libavif's two (28 and 40)
 * could all be waiting at once. In one heap they take what the largest call needed.
 *
 * A module instance stays the heap's tenant, reused call after call, until another module's call
 * needs the heap: the heap is then zeroed (the modules' static data and allocators expect fresh
 * memory) and the other module instantiated into it. Calls take turns, as their instances share
 * the memory. The heap and its tenant are held weakly: V8 reclaims them as before when no codec
 * runs for a while, and the next call starts a new heap.
 *
 * @example
 * const heap = createCodecHeap((memory) => trackWasmMemory('codecs', memory));
 * const encoder = heap.codec(webpEncoderFactory, webpEncoderModule);
 * const bytes = await encoder.use((module) => module.encode(data, width, height, options));
 */
export function createCodecHeap(onNewHeap?: (memory: HeapMemory) => void): CodecHeap {
  let heap: WeakRef<HeapMemory> | undefined;
  let tenant: { readonly codec: object; readonly module: WeakRef<object> } | undefined;
  let turns: Promise<unknown> = Promise.resolve();

  async function instantiate<T extends object>(codec: object, factory: EmscriptenFactory<T>, module: CodecModule): Promise<T> {
    const kept = tenant?.codec === codec ? tenant.module.deref() : undefined;
    if (kept !== undefined) return kept as T;
    defineImageData();
    tenant = undefined;
    let memory = heap?.deref();
    if (memory === undefined) {
      memory = new wasm.Memory({ initial: CODEC_HEAP.initialPages, maximum: CODEC_HEAP.maximumPages });
      heap = new WeakRef(memory);
      onNewHeap?.(memory);
    } else {
      new Uint8Array(memory.buffer).fill(0);
    }
    const shared = memory;
    const created = await factory({
      noInitialRun: true,
      instantiateWasm(imports: object, receiveInstance: (instance: object) => void) {
        const instance = new wasm.Instance(module, { ...imports, [CODEC_HEAP.module]: { [CODEC_HEAP.field]: shared } });
        receiveInstance(instance);
        return instance.exports;
      },
    });
    tenant = { codec, module: new WeakRef(created) };
    return created;
  }

  return {
    codec<T extends object>(factory: EmscriptenFactory<T>, module: CodecModule): CodecInstance<T> {
      const codec = {};
      return {
        use<R>(call: (instance: T) => R): Promise<R> {
          const result = turns.then(async () => {
            const instance = await instantiate(codec, factory, module);
            try {
              return call(instance);
            } catch (error) {
              if (tenant?.codec === codec) tenant = undefined;
              throw error;
            }
          });
          turns = result.catch(() => undefined);
          return result;
        },
      };
    },
  };
}
