import { describe, expect, it } from 'vitest';
import { CODEC_HEAP, createCodecHeap, type EmscriptenFactory, type HeapMemory } from '../../src/codec/emscripten';
import { nodeWebpCodec } from './node-codecs';
import { name as wasmName, sleb as signedLeb, uleb as leb } from '../../training/backend/wasm-module-bytes';
import { wasmApi, wasmModule } from './wasm-api';

/**
 * A module that imports the codec heap, puts `tag` at address 16 (a data segment) and exports
 * `read(address)` and `write(address, value)` on its bytes: enough to see what each instance finds
 * in the shared heap.
 */
function taggedModule(tag: number): object {
  const body = (code: number[]) => [...leb(code.length + 1), 0, ...code]; // no locals
  return new wasmApi.Module(
    wasmModule([
      { id: 1, payload: [2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 0] },
      { id: 2, payload: [1, ...wasmName(CODEC_HEAP.module), ...wasmName(CODEC_HEAP.field), 2, 0, ...leb(CODEC_HEAP.initialPages)] },
      { id: 3, payload: [2, 0, 1] },
      { id: 7, payload: [2, ...wasmName('read'), 0, 0, ...wasmName('write'), 0, 1] },
      {
        id: 10,
        payload: [2, ...body([0x20, 0, 0x2d, 0, 0, 0x0b]), ...body([0x20, 0, 0x20, 1, 0x3a, 0, 0, 0x0b])],
      },
      { id: 11, payload: [1, 0, 0x41, ...signedLeb(16), 0x0b, 1, tag] },
    ]),
  );
}

interface TaggedApi {
  readonly id: number;
  read(address: number): number;
  write(address: number, value: number): void;
}

/** A stand-in for an Emscripten factory: instantiates through the `instantiateWasm` hook, as the glue does, and counts instances. */
function countingFactory(failFirst = false) {
  let created = 0;
  const factory: EmscriptenFactory<TaggedApi> = async (options) => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // the glue resolves asynchronously
    if (failFirst && created === 0) {
      created++;
      throw new Error('CompileError');
    }
    const { instantiateWasm, noInitialRun } = options as {
      noInitialRun: boolean;
      instantiateWasm(imports: object, receive: (instance: object) => void): { read: TaggedApi['read']; write: TaggedApi['write'] };
    };
    expect(noInitialRun).toBe(true);
    const exports = instantiateWasm({}, () => undefined);
    return { id: created++, read: exports.read, write: exports.write };
  };
  return { factory, count: () => created };
}

describe('createCodecHeap', () => {
  it('instantiates a codec once and reuses it while it keeps the heap', async () => {
    const { factory, count } = countingFactory();
    const codec = createCodecHeap().codec(factory, taggedModule(7));
    expect(await codec.use((module) => module.read(16))).toBe(7);
    await codec.use((module) => module.write(100, 42));
    expect(await codec.use((module) => [module.id, module.read(100)])).toEqual([0, 42]);
    expect(count()).toBe(1);
  });

  it('runs every codec in one memory: a codec taking the heap finds it zeroed but for its own data, and the other is instantiated again', async () => {
    const heaps: HeapMemory[] = [];
    const heap = createCodecHeap((memory) => heaps.push(memory));
    const first = countingFactory();
    const second = countingFactory();
    const a = heap.codec(first.factory, taggedModule(1));
    const b = heap.codec(second.factory, taggedModule(2));
    await a.use((module) => module.write(100, 42));
    expect(await b.use((module) => [module.read(16), module.read(100)])).toEqual([2, 0]);
    expect(await a.use((module) => [module.read(16), module.read(100)])).toEqual([1, 0]);
    expect([first.count(), second.count()]).toEqual([2, 1]);
    expect(heaps).toHaveLength(1);
    expect(new Uint8Array(heaps[0]!.buffer)[16]).toBe(1);
  });

  it('calls take turns: concurrent first calls of two codecs each see their own module', async () => {
    const heap = createCodecHeap();
    const a = heap.codec(countingFactory().factory, taggedModule(1));
    const b = heap.codec(countingFactory().factory, taggedModule(2));
    const seen = await Promise.all([a, b, a, b].map((codec) => codec.use((module) => module.read(16))));
    expect(seen).toEqual([1, 2, 1, 2]);
  });

  it('a call that throws retires the instance: the next call gets a new one', async () => {
    const { factory, count } = countingFactory();
    const codec = createCodecHeap().codec(factory, taggedModule(3));
    await expect(
      codec.use(() => {
        throw new Error('Aborted(OOM)');
      }),
    ).rejects.toThrow('Aborted(OOM)');
    expect(await codec.use((module) => [module.id, module.read(16)])).toEqual([1, 3]);
    expect(count()).toBe(2);
  });

  it('a failed instantiation is not kept: the next call tries again', async () => {
    const { factory } = countingFactory(true);
    const codec = createCodecHeap().codec(factory, taggedModule(4));
    await expect(codec.use((module) => module.id)).rejects.toThrow('CompileError');
    expect(await codec.use((module) => [module.id, module.read(16)])).toEqual([1, 4]);
  });
});

describe('ImageData for the codecs', () => {
  // The glue would define its own class inside the module's closure, and the global object would keep
  // that first instance and its heap alive for good: ours must be there first.
  it('is defined outside any codec module before the first instance, and the codecs decode with it', async () => {
    const scope = globalThis as { ImageData?: { name: string } };
    const defined = () => scope.ImageData; // read again after the codec ran
    delete scope.ImageData;
    const webp = nodeWebpCodec();
    const bytes = await webp.encode({ width: 3, height: 2, data: new Uint8Array(24).fill(200) }, 90);
    expect(defined()?.name).toBe('DecodedImageData');
    const decoded = await webp.decode(bytes);
    expect([decoded.width, decoded.height, decoded.data.length]).toEqual([3, 2, 24]);
  });
});
