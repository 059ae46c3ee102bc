import { describe, expect, it } from 'vitest';
import { upscaleImage } from '../../src/core/upscale';
import { wasmMemoryBytes } from '../../src/platform/wasm-memory';
import { models, paintedImage } from './harness';

// WebAssembly memories never shrink, and the isolate has 128 MB: tiling must cap the ONNX
// runtime's heap by tile size, whatever the image size.
describe('onnxruntime heap', () => {
  it('is bounded by the tile size, not the image size', async () => {
    const runner = await models.runner(2);
    await upscaleImage(paintedImage(40, 40), runner, { tileSize: 40 });
    const afterSmallImage = wasmMemoryBytes().onnxruntime!;
    await upscaleImage(paintedImage(320, 240), runner, { tileSize: 40 });
    const afterLargeImageTiled = wasmMemoryBytes().onnxruntime!;
    await upscaleImage(paintedImage(320, 240), runner, { tileSize: 1024 });
    const afterLargeImageWhole = wasmMemoryBytes().onnxruntime!;

    expect(afterSmallImage).toBeGreaterThan(0);
    expect(afterLargeImageTiled).toBeLessThanOrEqual(afterSmallImage * 1.25);
    expect(afterLargeImageWhole).toBeGreaterThan(afterLargeImageTiled * 1.5);
  });
});
