import { describe, expect, it } from 'vitest';
import { CODEC_HEAP } from '../../src/codec/emscripten';
import { readImageHeader } from '../../src/codec/header';
import { encodeJpegBands } from '../../src/codec/jpeg-encoder';
import type { RgbaBand } from '../../src/core/bands';
import { concatBytes, releaseBuffer } from '../../src/core/bytes';
import type { ModelRunner, PlanarImage } from '../../src/core/model-runner';
import { resizeBands } from '../../src/core/resample';
import { upscaleBands, upscaleImage } from '../../src/core/upscale';
import { wasmMemoryBytes } from '../../src/inference/wasm-memory';
import { codecs, paintedImage, withRunner } from './harness';

// WebAssembly memories never shrink, and the isolate has 128 MB: tiling must cap the ONNX
// runtime's heap by tile size, whatever the image size.
describe('onnxruntime heap', () => {
  it('is bounded by the tile size, not the image size', () =>
    withRunner(2, async (runner) => {
      await upscaleImage(paintedImage(40, 40), runner, { tileSize: 40 });
      const afterSmallImage = wasmMemoryBytes().onnxruntime!;
      await upscaleImage(paintedImage(320, 240), runner, { tileSize: 40 });
      const afterLargeImageTiled = wasmMemoryBytes().onnxruntime!;
      await upscaleImage(paintedImage(320, 240), runner, { tileSize: 1024 });
      const afterLargeImageWhole = wasmMemoryBytes().onnxruntime!;

      expect(afterSmallImage).toBeGreaterThan(0);
      expect(afterLargeImageTiled).toBeLessThanOrEqual(afterSmallImage * 1.25);
      expect(afterLargeImageWhole).toBeGreaterThan(afterLargeImageTiled * 1.5);
    }));
});

// V8 does not count WebAssembly memories when it decides to collect, so heaps of their own per codec
// added up until a collection (libwebp's and libavif's, each side's): all four codec modules share
// one heap, which takes what the largest call needed.
describe('codec heap', () => {
  it('WebP and AVIF encodes and decodes in turn run in one heap', async () => {
    for (let call = 0; call < 4; call++) {
      for (const format of ['webp', 'avif'] as const) {
        const encoded = await codecs.encode(paintedImage(48 + call, 32, true), format, 80);
        expect((await codecs.decode(encoded, readImageHeader(encoded))).width).toBe(48 + call);
      }
    }
    const { onnxruntime: _, ...codecHeaps } = wasmMemoryBytes();
    expect(Object.keys(codecHeaps)).toEqual(['codecs']);
    // One heap, at its start (6 MiB: libavif's encoder's static data and stack) or a little above
    // for libavif's encoder; four heaps of their own started at 2 + 2 + 16 + 16 MiB.
    expect(codecHeaps.codecs).toBeGreaterThanOrEqual(CODEC_HEAP.initialPages * 65_536);
    expect(codecHeaps.codecs).toBeLessThan(16 * 1024 * 1024);
  });
});

// The pipeline streams: every stage holds bands of O(width) rows, never a whole output image.
describe('streamed stages', () => {
  it('upscale in bands of one tile row, through one reused buffer, freed when the bands end', () =>
    withRunner(2, async (runner) => {
      const image = upscaleBands(paintedImage(200, 150), runner, { tileSize: 48 });
      const buffers = new Set<ArrayBufferLike>();
      let largest = 0;
      let rows = 0;
      for await (const band of image.bands) {
        buffers.add(band.data.buffer);
        largest = Math.max(largest, band.data.byteLength);
        rows += band.height;
      }
      expect(rows).toBe(300);
      expect(buffers.size).toBe(1);
      expect(largest).toBeLessThanOrEqual(400 * 2 * 50 * 4); // one tile row (at most 50 source rows) at x2
      // Released, not left to V8: the next request would carry 5 MiB of it at 4096 px wide.
      expect([...buffers].map((buffer) => buffer.byteLength)).toEqual([0]);
    }));

  it('thumbnail a 24-megapixel baseline JPEG in DCT-scaled strips of O(width) bytes', async () => {
    const width = 6000;
    const height = 4000;
    const jpeg = await jpegOf(width, height);
    const header = readImageHeader(jpeg);
    expect(header.decodesInStrips).toBe(true);
    const decoded = await codecs.decodeBands(jpeg, header, { width: 640, height: 427 });
    expect([decoded.width, decoded.height]).toEqual([750, 500]); // 1/8: the largest reduction still at least 640 wide
    const thumbnail = resizeBands(decoded, 640, 427);
    let largest = 0;
    let rows = 0;
    for await (const band of thumbnail.bands) {
      largest = Math.max(largest, band.data.byteLength);
      rows += band.height;
    }
    expect(rows).toBe(427);
    expect(largest).toBeLessThanOrEqual(640 * 32 * 4);
  }, 120_000);
});

// V8 frees array buffers only when it next collects, which it does late; the megabyte-sized
// buffers made per tile are released by design instead (src/core/bytes.ts).
describe('released buffers', () => {
  it('detaches a whole buffer at once and leaves a partial view alone', () => {
    const whole = new Uint8Array(1024);
    const shared = new Uint8Array(1024);
    const part = shared.subarray(0, 512);
    releaseBuffer(whole);
    releaseBuffer(part);
    expect(whole.byteLength).toBe(0);
    expect(shared.byteLength).toBe(1024);
    expect(part.byteLength).toBe(512);
  });

  it('upscaling releases every model output once copied, and reuses one input buffer for all tiles, freed at the end', () =>
    withRunner(2, async (inner) => {
      const outputs: PlanarImage[] = [];
      const inputBuffers = new Set<ArrayBufferLike>();
      const runner: ModelRunner = {
        model: inner.model,
        async run(input) {
          inputBuffers.add(input.data.buffer);
          const output = await inner.run(input);
          outputs.push(output);
          return output;
        },
        close: () => inner.close(),
      };
      const upscaled = await upscaleImage(paintedImage(120, 90), runner, { tileSize: 40 });
      expect(upscaled.width).toBe(240);
      expect(outputs.length).toBe(9);
      expect(outputs.every((output) => output.data.byteLength === 0)).toBe(true);
      expect([...inputBuffers].map((buffer) => buffer.byteLength)).toEqual([0]);
    }));
});

/** A baseline JPEG painted band by band (the source itself never exists whole either). */
async function jpegOf(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  async function* bands(): AsyncGenerator<RgbaBand> {
    const rows = 16;
    const data = new Uint8Array(width * rows * 4);
    for (let y = 0; y < height; y += rows) {
      for (let row = 0; row < rows; row++) {
        for (let x = 0; x < width; x++) data.set([(x * 7 + y + row) % 256, ((y + row) * 3) % 256, (x ^ (y + row)) % 256, 255], (row * width + x) * 4);
      }
      yield { y, width, height: Math.min(rows, height - y), data };
    }
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeJpegBands({ width, height, opaque: true, bands: bands() }, 85)) chunks.push(chunk);
  return concatBytes(chunks);
}
