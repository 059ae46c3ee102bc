import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CODEC_HEAP, createCodecHeap, type HeapMemory } from '../../src/codec/emscripten';
import { CODEC_WASM } from '../build/codec-wasm/files';
import { withImportedHeap } from '../build/codec-wasm/imported-heap';
import { nodeAvifCodec, nodeWebpCodec } from './node-codecs';
import { name as wasmName, sleb as signedLeb, uleb as leb } from '../../training/backend/wasm-module-bytes';
import { exportedMemory, wasmApi, wasmModule } from './wasm-api';

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;

/** A minimal module: one memory of `minimum`..`maximum` pages, exported as `mem`, and a data segment of 1, 2, 3, 4 at `dataAt`. */
function tinyModule(minimum: number, maximum: number, dataAt: number): Uint8Array {
  return wasmModule([
    { id: 5, payload: [1, 1, ...leb(minimum), ...leb(maximum)] },
    { id: 7, payload: [1, ...wasmName('mem'), 2, 0] },
    { id: 11, payload: [1, 0, 0x41, ...signedLeb(dataAt), 0x0b, 4, 1, 2, 3, 4] },
  ]);
}

const newHeap = () => new wasmApi.Memory({ initial: CODEC_HEAP.initialPages, maximum: CODEC_HEAP.maximumPages });

describe('withImportedHeap', () => {
  it('turns the memory the module defines into the codec heap import: its data lands in the heap, and it exports the heap', () => {
    const shared = withImportedHeap(tinyModule(256, 32_768, 16));
    const heap = newHeap();
    const instance = new wasmApi.Instance(new wasmApi.Module(shared), { [CODEC_HEAP.module]: { [CODEC_HEAP.field]: heap } });
    expect(exportedMemory(instance)).toBe(heap);
    expect([...new Uint8Array(heap.buffer, 16, 4)]).toEqual([1, 2, 3, 4]);
    // It no longer makes a memory of its own: without the heap it does not link.
    expect(() => new wasmApi.Instance(new wasmApi.Module(shared), {})).toThrow();
  });

  it('refuses a module whose static data the heap would not hold, that could not grow as far as the heap, or that has no memory', () => {
    expect(() => withImportedHeap(tinyModule(256, 32_768, CODEC_HEAP.initialPages * 65_536))).toThrow(/do not hold the module's static data/);
    expect(() => withImportedHeap(tinyModule(256, CODEC_HEAP.maximumPages - 1, 0))).toThrow(/grows to \d+ pages, less than the heap/);
    expect(() => withImportedHeap(wasmModule([{ id: 7, payload: [0] }]))).toThrow(/defines no memory/);
  });
});

describe('the codec modules the Worker bundles (src/platform/wasm)', () => {
  it.each(CODEC_WASM)('$committed is the installed $packageFile importing the codec heap (npm run build:codec-wasm)', ({ packageFile, committed }) => {
    const expected = withImportedHeap(readFileSync(require.resolve(packageFile)));
    expect(Buffer.compare(readFileSync(committed), expected)).toBe(0);
  });

  it('libwebp and libavif, encoding and decoding in turn, share one heap that grows as a call needs', async () => {
    const heaps: HeapMemory[] = [];
    const heap = createCodecHeap((memory) => heaps.push(memory));
    const webp = nodeWebpCodec(heap);
    const avif = nodeAvifCodec(heap);
    const small = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(180) };
    for (const codec of [webp, avif, webp]) {
      const decoded = await codec.decode(await codec.encode(small, 80));
      expect([decoded.width, decoded.height]).toEqual([64, 48]);
      expect(Math.abs(decoded.data[0]! - 180)).toBeLessThan(4);
    }
    expect(heaps).toHaveLength(1);
    const startBytes = heaps[0]!.buffer.byteLength;
    expect(startBytes).toBeGreaterThanOrEqual(CODEC_HEAP.initialPages * 65_536);
    const large = { width: 1024, height: 768, data: new Uint8Array(1024 * 768 * 4).map((_, i) => (i * 37) & 255) };
    await webp.encode(large, 80);
    expect(heaps[0]!.buffer.byteLength).toBeGreaterThan(startBytes); // grew for the larger picture
    expect(heaps[0]!.buffer.byteLength).toBeLessThan(64 * MiB);
    expect(heaps).toHaveLength(1);
  });
});

describe('the codec heap maximum', () => {
  it('a call that would grow the heap past it fails, the heap stays within it, and the next call works', async () => {
    const heaps: HeapMemory[] = [];
    const webp = nodeWebpCodec(createCodecHeap((memory) => heaps.push(memory)));
    const noise = new Uint8Array(2048 * 2048 * 4);
    for (let i = 0, seed = 12_345; i < noise.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      noise[i] = seed >>> 24;
    }
    // A 2048x2048 translucent noise picture would take libwebp 140-190 MiB (35-47 bytes per translucent pixel, docs/benchmarks.md).
    await expect(webp.encode({ width: 2048, height: 2048, data: noise }, 85)).rejects.toThrow(/could not encode a 2048x2048 image/);
    expect(heaps[0]!.buffer.byteLength).toBeLessThanOrEqual(CODEC_HEAP.maximumPages * 65_536);
    const small = await webp.encode({ width: 64, height: 64, data: noise.subarray(0, 64 * 64 * 4) }, 85);
    expect((await webp.decode(small)).width).toBe(64);
  });
});
