import { readFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { createCodecHeap, type HeapMemory } from '../../src/codec/emscripten';
import { decodeJpeg, encodeJpeg } from '../../src/codec/jpeg';
import { decodePng } from '../../src/codec/png';
import { bandsOf, collectBands } from '../../src/core/bands';
import type { RgbaImage } from '../../src/core/image';
import { resizeBands } from '../../src/core/resample';
import { paintPhoto } from '../support/photo';
import { nodeAvifCodec, nodeWebpCodec } from './node-codecs';

/**
 * The AVIF codec's CPU time and WebAssembly heap in Node (the same V8 and WebAssembly as workerd),
 * a cross-check of the wall-clock times test/worker/avif-cost.test.ts takes in workerd: CPU time
 * does not grow when other processes share the cores. Prints one JSON line per measurement.
 *
 *   node --import tsx test/core/avif-cost.ts [photo.png or -] [encoded sizes] [decoded sizes] [quality side]
 *
 * Sizes are comma-separated `WxH` (or `N` for `NxN`); defaults `512,800,1024,1200` and `1024,1448,2048`.
 * Last, at `quality side` squared (default 800; 0 skips it), the size and PSNR of AVIF, WebP and
 * JPEG at the same `quality`, the basis of avifQuality's mapping.
 * With a PNG photograph (e.g. Urban100's img_004.png from the datasets folder), it is resized
 * (stretched) to each size; with `-` or none, a painted photo-like image is used.
 */
const [photoArg = '-', encodeArg = '512,800,1024,1200', decodeArg = '1024,1448,2048', qualitySideArg = '800'] = process.argv.slice(2);
const photo = photoArg === '-' ? undefined : decodePng(readFileSync(photoArg));
const imageName = photoArg === '-' ? 'painted' : photoArg.slice(photoArg.lastIndexOf('/') + 1);

let lastHeap: HeapMemory | undefined;
/** A codec in a codec heap of its own per measurement (a heap only grows: its final size is the call's peak). */
const freshAvif = () => nodeAvifCodec(createCodecHeap((memory) => (lastHeap = memory)));
const avif = freshAvif();

function sizes(list: string): { width: number; height: number }[] {
  return list.split(',').map((entry) => {
    const [width, height = width] = entry.split('x').map(Number);
    return { width: width!, height: height! };
  });
}

async function testImage(width: number, height: number): Promise<RgbaImage> {
  if (photo === undefined) return paintPhoto(width, height, { translucent: false });
  return collectBands(resizeBands(bandsOf(photo, true), width, height));
}

async function measure<T>(work: () => Promise<T>): Promise<{ result: T; cpuSeconds: number; wallSeconds: number; heapMiB: number }> {
  const cpu = cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = cpuUsage(cpu);
  return {
    result,
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - start) / 1000,
    heapMiB: (lastHeap?.buffer.byteLength ?? 0) / 2 ** 20,
  };
}

await avif.decode(await avif.encode(await testImage(64, 64), 85)); // warm-up
for (const { width, height } of sizes(encodeArg)) {
  const input = await testImage(width, height);
  const { result, ...cost } = await measure(() => freshAvif().encode(input, 85));
  console.log(
    JSON.stringify({
      kind: 'encode',
      image: imageName,
      width,
      height,
      ...cost,
      cpuSecondsPerMegapixel: cost.cpuSeconds / ((width * height) / 1e6),
      bytes: result.byteLength,
    }),
  );
}
for (const { width, height } of sizes(decodeArg)) {
  const encoded = await avif.encode(await testImage(width, height), 85);
  const { result, ...cost } = await measure(() => freshAvif().decode(encoded));
  if (result.width !== width || result.height !== height) throw new Error(`decoded ${result.width}x${result.height}, expected ${width}x${height}`);
  console.log(JSON.stringify({ kind: 'decode', image: imageName, width, height, ...cost, sourceBytes: encoded.byteLength }));
}

/** Peak signal-to-noise ratio over the colour channels, dB. */
function psnr(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (i % 4 === 3) continue;
    sum += (a.data[i]! - b.data[i]!) ** 2;
    count++;
  }
  return 10 * Math.log10((255 * 255) / (sum / count));
}

const qualitySide = Number(qualitySideArg);
if (qualitySide > 0) {
  const webp = nodeWebpCodec();
  const input = await testImage(qualitySide, qualitySide);
  for (const quality of [50, 70, 80, 85, 90, 95]) {
    const avifBytes = await avif.encode(input, quality);
    const webpBytes = await webp.encode(input, quality);
    const jpegBytes = encodeJpeg(input, quality);
    const entry = (bytes: Uint8Array, decoded: RgbaImage) => ({ bytes: bytes.byteLength, psnr: Number(psnr(input, decoded).toFixed(2)) });
    console.log(
      JSON.stringify({
        kind: 'quality',
        image: imageName,
        side: qualitySide,
        quality,
        avif: entry(avifBytes, await avif.decode(avifBytes)),
        webp: entry(webpBytes, await webp.decode(webpBytes)),
        jpeg: entry(jpegBytes, decodeJpeg(jpegBytes, 16)),
      }),
    );
  }
}
