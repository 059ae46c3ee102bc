import { describe, expect, it } from 'vitest';
import { MODEL_FILES } from '../../model/files';
import { createWasmSession, ort } from '../../src/inference/ort-wasm';

describe('createWasmSession', () => {
  it('runs the bundled model in workerd', async () => {
    const session = await createWasmSession(new Uint8Array(MODEL_FILES['wdsr-b-x2.onnx']!), {});
    const input = new ort.Tensor('float32', new Float32Array(3 * 8 * 8).fill(0.5), [1, 3, 8, 8]);
    const result = await session.run({ lr: input });
    expect(result.sr!.dims).toEqual([1, 3, 16, 16]);
  });
});
