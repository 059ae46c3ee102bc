import { describe, expect, it } from 'vitest';
import { createWasmSession, ort } from '../../src/inference/ort-wasm';
import { servedX2Bytes } from './harness';

/** The smallest valid WebAssembly module: magic number and version, no sections. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const model = () => new Uint8Array(servedX2Bytes());

describe('createWasmSession', () => {
  it('is needed: workerd refuses to compile WebAssembly from bytes', async () => {
    await expect(WebAssembly.instantiate(EMPTY_MODULE)).rejects.toThrow(/disallowed/);
  });

  it('runs the bundled model on the WASM execution provider', async () => {
    const session = await createWasmSession(model(), {});
    const input = new ort.Tensor('float32', new Float32Array(3 * 8 * 6).fill(0.5), [1, 3, 8, 6]);
    const result = await session.run({ lr: input });
    expect(result.sr!.dims).toEqual([1, 3, 16, 12]);
    expect(Array.from(result.sr!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('creates concurrent sessions from one runtime and restores WebAssembly.instantiate', async () => {
    const original = WebAssembly.instantiate;
    const sessions = await Promise.all([createWasmSession(model(), {}), createWasmSession(model(), {})]);
    expect(sessions.map((session) => session.inputNames)).toEqual([['lr'], ['lr']]);
    expect(WebAssembly.instantiate).toBe(original);
  });

  it('leaves other instantiate calls alone while a session is being created', async () => {
    const creating = createWasmSession(model(), {});
    await expect(WebAssembly.instantiate(EMPTY_MODULE)).rejects.toThrow(/disallowed/);
    await creating;
  });
});
