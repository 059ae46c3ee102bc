import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import encoderFactory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import { describe, expect, it } from 'vitest';
import { createWebpCodec } from '../../src/codec/webp';
import { CODEC_WASM } from '../build/codec-wasm/files';
import { withInitialMemory } from '../build/codec-wasm/initial-memory';
import { exportedMemory, type WasmMemory, wasmApi } from './wasm-api';

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;

/** The initial pages of the memory a module defines and exports, read from an instance (the module must import nothing). */
function initialPages(bytes: Uint8Array): number {
  return exportedMemory(new wasmApi.Instance(new wasmApi.Module(bytes)))!.buffer.byteLength / 65_536;
}

/** A minimal module: one memory of `minimum`..`maximum` pages, exported, and one data segment at `dataAt`. */
function tinyModule(minimum: number, maximum: number, dataAt: number): Uint8Array {
  const leb = (value: number) => {
    const out: number[] = [];
    do {
      const byte = value & 0x7f;
      value >>>= 7;
      out.push(value ? byte | 0x80 : byte);
    } while (value);
    return out;
  };
  const signed = (value: number) => {
    const out: number[] = [];
    for (;;) {
      const byte = value & 0x7f;
      value >>= 7;
      const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
      out.push(done ? byte : byte | 0x80);
      if (done) return out;
    }
  };
  const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(5, [1, 1, ...leb(minimum), ...leb(maximum)]),
    ...section(7, [1, 3, ...Buffer.from('mem'), 2, 0]),
    ...section(11, [1, 0, 0x41, ...signed(dataAt), 0x0b, 4, 1, 2, 3, 4]),
  ]);
}

describe('withInitialMemory', () => {
  it('rewrites the initial size, keeping the maximum and the module the same length', () => {
    const module = tinyModule(256, 32_768, 16);
    const smaller = withInitialMemory(module, 32);
    expect(smaller.byteLength).toBe(module.byteLength);
    expect(initialPages(module)).toBe(256);
    expect(initialPages(smaller)).toBe(32);
    const grown = exportedMemory(new wasmApi.Instance(new wasmApi.Module(smaller)))!;
    grown.grow(32_768 - 32); // the maximum is still there: growing past it would throw
    expect(() => grown.grow(1)).toThrow();
  });

  it('refuses a start that would not hold the static data, or that is not smaller, or leaves no room to grow', () => {
    expect(() => withInitialMemory(tinyModule(256, 32_768, 2 * 65_536), 2)).toThrow(RangeError);
    expect(() => withInitialMemory(tinyModule(16, 32_768, 0), 32)).toThrow(/already starts at 16 pages/);
    expect(() => withInitialMemory(tinyModule(256, 32, 0), 32)).toThrow(/no room to grow/);
  });
});

describe('the codec modules the Worker bundles (src/platform/wasm)', () => {
  it.each(CODEC_WASM)(
    '$committed is the installed $packageFile with $initialPages initial pages (npm run build:codec-wasm)',
    ({ packageFile, committed, initialPages }) => {
      const expected = withInitialMemory(readFileSync(require.resolve(packageFile)), initialPages);
      expect(Buffer.compare(readFileSync(committed), expected)).toBe(0);
    },
  );

  it('encode and decode with a heap that starts at 2 MiB and grows as a call needs', async () => {
    const [encoder, decoder] = CODEC_WASM.map(({ committed }) => readFileSync(committed));
    const memories: WasmMemory[] = [];
    const capture = (bytes: Buffer) => ({
      instantiateWasm(imports: object, receive: (instance: object) => void) {
        const instance = new wasmApi.Instance(new wasmApi.Module(bytes), imports);
        memories.push(exportedMemory(instance)!);
        receive(instance);
        return instance.exports;
      },
    });
    const webp = createWebpCodec({ encoder: capture(encoder!), decoder: capture(decoder!) });
    const small = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(180) };
    const decoded = await webp.decode(await webp.encode(small, 80));
    expect([decoded.width, decoded.height]).toEqual([64, 48]);
    expect(memories.map((memory) => memory.buffer.byteLength)).toEqual([2 * MiB, 2 * MiB]);
    const large = { width: 1024, height: 768, data: new Uint8Array(1024 * 768 * 4).map((_, i) => (i * 37) & 255) };
    await webp.encode(large, 80);
    expect(memories[0]!.buffer.byteLength).toBeGreaterThan(2 * MiB); // grew for the larger picture
  });

  it('the package module still starts at 16 MiB (what the rewrite saves per instance)', async () => {
    let memory: WasmMemory | undefined;
    const bytes = readFileSync(require.resolve('@jsquash/webp/codec/enc/webp_enc_simd.wasm'));
    await (encoderFactory as unknown as (options: object) => Promise<unknown>)({
      noInitialRun: true,
      instantiateWasm(imports: object, receive: (instance: object) => void) {
        const instance = new wasmApi.Instance(new wasmApi.Module(bytes), imports);
        memory = exportedMemory(instance);
        receive(instance);
        return instance.exports;
      },
    });
    expect(memory!.buffer.byteLength).toBe(16 * MiB);
  });
});
