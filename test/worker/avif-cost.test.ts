import avifEncoderFactory from '@jsquash/avif/codec/enc/avif_enc.js';
import avifEncoderModule from '@jsquash/avif/codec/enc/avif_enc.wasm';
import { defaultOptions as avifEncoderDefaults } from '@jsquash/avif/meta.js';
import { describe, expect, it } from 'vitest';
import { AVIF_SPEED, avifQuality, createAvifCodec, type AvifCodec } from '../../src/codec/avif';
import { readImageHeader } from '../../src/codec/header';
import { createCodecHeap, type HeapMemory } from '../../src/codec/emscripten';
import { bandsOf, collectBands } from '../../src/core/bands';
import type { RgbaImage } from '../../src/core/image';
import { resizeBands } from '../../src/core/resample';
import { AVIF_MODULES } from '../../src/platform/avif-wasm';
import { paintPhoto } from '../support/photo';
import { codecs } from './harness';

/**
 * The AVIF codec's cost in workerd: time and WebAssembly heap of the encoder at a few output sizes
 * and of the decoder for a source at the whole-decode limit, the numbers docs/avif.md records and
 * the AVIF limits are set from. Slow (a minute or more), so run on demand only:
 *
 *   VITE_AVIF_MEASURE=1 npx vitest run --config vitest.worker.config.ts test/worker/avif-cost.test.ts
 *
 * Vite passes `VITE_`-prefixed variables into the Worker: `VITE_AVIF_SIZES=512,800` picks the
 * encoded sides (default 512, 800, 1024, 1200), `VITE_AVIF_SPEEDS=6,8,10` also times those libaom
 * speed presets at 800x800, `VITE_AVIF_DECODE_SIDES` the decoded sources' sides (default 1024 and
 * 2048: the AVIF source limit and the whole-source limit), and `VITE_AVIF_PHOTO` a PNG photograph to use instead of the painted image,
 * as Vite imports it: `VITE_AVIF_PHOTO=/@fs/$(realpath ../shared/datasets)/Urban100/HR/img_004.png`.
 * Each line it prints is one JSON measurement. Local workerd only: on Cloudflare's edge the clock
 * stands still during computation.
 */
const env = (import.meta as ImportMeta & { readonly env: Readonly<Record<string, string | undefined>> }).env;
const enabled = env.VITE_AVIF_MEASURE === '1';
const sides = (env.VITE_AVIF_SIZES ?? '512,800,1024,1200').split(',').map(Number);
const speeds = (env.VITE_AVIF_SPEEDS ?? '')
  .split(',')
  .filter((speed) => speed !== '')
  .map(Number);
const photoPath = env.VITE_AVIF_PHOTO;
const imageName = photoPath === undefined ? 'painted' : photoPath.slice(photoPath.lastIndexOf('/') + 1);
let photo: Promise<RgbaImage> | undefined;

/** The photograph, imported by Vite as a data URL (the Worker has no file system). */
async function loadPhoto(path: string): Promise<RgbaImage> {
  const dataUrl = ((await import(/* @vite-ignore */ `${path}?inline`)) as { default: string }).default;
  const bytes = Uint8Array.from(atob(dataUrl.slice(dataUrl.indexOf(',') + 1)), (char) => char.charCodeAt(0));
  return codecs.decode(bytes, readImageHeader(bytes));
}

/** The image the codec is timed on: the photograph resized (stretched) to `side` x `side`, else a painted photo-like one. */
async function testImage(side: number, translucent: boolean): Promise<RgbaImage> {
  if (photoPath === undefined) return paintPhoto(side, side, { translucent });
  photo ??= loadPhoto(photoPath);
  const image = await collectBands(resizeBands(bandsOf(await photo, true), side, side));
  if (translucent) for (let i = 3; i < image.data.length; i += 4) image.data[i] = 96 + ((i >> 2) % side) * (159 / side);
  return image;
}

/** A codec in a codec heap of its own, kept (strongly) so that its final size can be read: a heap only grows, so that is the call's peak. */
function measuredCodec(): { readonly codec: AvifCodec; readonly heapBytes: () => number } {
  let heap: HeapMemory | undefined;
  const codec = createAvifCodec(
    createCodecHeap((memory) => (heap = memory)),
    AVIF_MODULES,
  );
  return { codec, heapBytes: () => heap?.buffer.byteLength ?? 0 };
}

interface EncoderModule {
  encode(data: ArrayBufferView, width: number, height: number, options: typeof avifEncoderDefaults): Uint8Array | null;
}

/** The encoder module itself, for options the codec fixes (the speed preset), with its heap's size. */
async function rawEncoder(): Promise<{ readonly module: EncoderModule; readonly heapBytes: () => number }> {
  let memory: WebAssembly.Memory | undefined;
  const factory = avifEncoderFactory as unknown as (options: object) => Promise<EncoderModule>;
  const module = await factory({
    noInitialRun: true,
    instantiateWasm(imports: WebAssembly.Imports, receiveInstance: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(avifEncoderModule, imports);
      memory = Object.values(instance.exports).find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
      receiveInstance(instance);
      return instance.exports;
    },
  });
  return { module, heapBytes: () => memory?.buffer.byteLength ?? 0 };
}

const MiB = 1024 * 1024;
const report = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - start) / 1000 };
}

describe.skipIf(!enabled)('AVIF cost in workerd (VITE_AVIF_MEASURE=1)', () => {
  it('instantiation alone: a 16x16 encode and decode', async () => {
    const { codec } = measuredCodec();
    const small = paintPhoto(16, 16, { translucent: false });
    await codec.decode(await codec.encode(small, 85)); // warm-up: V8 tiers the modules up lazily
    const encoded = await timed(() => codec.encode(small, 85));
    const decoded = await timed(() => codec.decode(encoded.result));
    report({ kind: 'instantiate', encodeSeconds: encoded.seconds, decodeSeconds: decoded.seconds });
  });

  it.skipIf(speeds.length === 0)(
    'encoder speed presets at 800x800',
    async () => {
      const image = await testImage(800, false);
      for (const speed of speeds) {
        const { module, heapBytes } = await rawEncoder();
        const { result, seconds } = await timed(
          async () => module.encode(image.data, image.width, image.height, { ...avifEncoderDefaults, quality: avifQuality(85), speed })!,
        );
        report({ kind: 'speed', side: 800, speed, shipped: speed === AVIF_SPEED, seconds, bytes: result.byteLength, heapMiB: heapBytes() / MiB });
      }
    },
    600_000,
  );

  it('encoder: time and heap by output size (photo-like, opaque and translucent)', async () => {
    for (const side of sides) {
      for (const translucent of [false, true]) {
        const image = await testImage(side, translucent);
        const { codec, heapBytes } = measuredCodec();
        const { result, seconds } = await timed(() => codec.encode(image, 85));
        expect(readImageHeader(result)).toMatchObject({ format: 'avif', width: side, height: side });
        const webp = await timed(() => codecs.encode(image, 'webp', 85));
        report({
          kind: 'encode',
          image: imageName,
          side,
          translucent,
          megapixels: (side * side) / 1e6,
          seconds,
          secondsPerMegapixel: seconds / ((side * side) / 1e6),
          heapMiB: heapBytes() / MiB,
          bytes: result.byteLength,
          webpSeconds: webp.seconds,
          webpBytes: webp.result.byteLength,
        });
      }
    }
  }, 600_000);

  it('decoder: sources of VITE_AVIF_DECODE_SIDES squared (default 1024 and 2048: the AVIF and the whole-source limits)', async () => {
    for (const side of (env.VITE_AVIF_DECODE_SIDES ?? '1024,2048').split(',').map(Number)) {
      const bytes = await measuredCodec().codec.encode(await testImage(side, false), 85); // as the service encodes it
      for (const run of [1, 2]) {
        const { codec, heapBytes } = measuredCodec();
        const { result, seconds } = await timed(() => codec.decode(bytes));
        expect([result.width, result.height]).toEqual([side, side]);
        report({ kind: 'decode', image: imageName, side, run, seconds, heapMiB: heapBytes() / MiB, sourceBytes: bytes.byteLength });
      }
    }
  }, 600_000);
});
