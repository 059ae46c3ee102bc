import type { ImageFormat } from '../../src/codec/format';
import { encodeGreyPng, encodePalettePng } from '../../src/codec/png';
import { Rng } from '../../training/model/rng';
import { jpegFile } from '../core/jpeg-writer';
import { concat, deflate, ihdr, pngFile, rawPng, scanlines, u32 } from '../core/png-writer';
import { codecs, paintedImage } from './harness';

/*
 * The fuzz corpus: small valid images of every variant we claim to read, and seeded mutations of
 * each (truncations, bit flips, stomped bytes, lying dimensions, wrong magic, trailing junk),
 * plus random bytes. Deterministic: the same seed makes the same inputs, so a failure reproduces.
 */

export interface FuzzInput {
  /** What the input is, for failure messages: `seed/mutation#n`. */
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

interface Seed {
  readonly name: string;
  readonly format: ImageFormat;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** One valid, small (12x10) image of each variant the service decodes. */
export async function seeds(): Promise<Seed[]> {
  const opaque = paintedImage(12, 10);
  const translucent = paintedImage(12, 10, true);
  const flat = paintedImage(12, 10);
  for (let i = 0; i < flat.data.length; i += 4) flat.data.set([(i >> 4) % 4 === 0 ? 200 : 30, 90, 160, 255], i);
  const frame = (rgb: readonly number[]) => deflate(scanlines(12, 10, 8, 2, 0, (_x, _y, c) => rgb[c]!));
  const fcTL = (sequence: number) => ({ type: 'fcTL', data: concat([u32(sequence, 12, 10, 0, 0), Uint8Array.of(0, 1, 0, 10, 0, 0)]) });
  const apng = pngFile([
    ihdr(12, 10, 8, 2),
    { type: 'acTL', data: u32(2, 0) },
    fcTL(0),
    { type: 'IDAT', data: await frame([200, 30, 30]) },
    fcTL(1),
    { type: 'fdAT', data: concat([u32(2), await frame([30, 30, 200])]) },
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
  const list: [string, ImageFormat, Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>][] = [
    ['png-rgb', 'png', codecs.encode(opaque, 'png', 0)],
    ['png-rgba', 'png', codecs.encode(translucent, 'png', 0)],
    ['png-palette', 'png', inArrayBuffer(encodePalettePng(flat))],
    ['png-grey', 'png', inArrayBuffer(encodeGreyPng(flat))],
    ['png-16bit', 'png', rawPng(12, 10, { depth: 16, colourType: 6 })],
    ['png-interlaced', 'png', rawPng(12, 10, { colourType: 2, interlace: 1 })],
    ['png-animated', 'png', apng],
    ['jpeg-baseline', 'jpeg', codecs.encode(opaque, 'jpeg', 90)],
    ['jpeg-grey', 'jpeg', jpegFile(12, 10, { components: 1 })],
    ['jpeg-cmyk', 'jpeg', jpegFile(12, 10, { components: 4 })],
    ['jpeg-progressive', 'jpeg', jpegFile(12, 10, { components: 3, progressive: true })],
    ['webp-lossy', 'webp', codecs.encode(opaque, 'webp', 80)],
    ['webp-alpha', 'webp', codecs.encode(translucent, 'webp', 80)],
  ];
  return Promise.all(list.map(async ([name, format, bytes]) => ({ name, format, bytes: await bytes })));
}

/** Every mutation of every seed, then random bytes (some behind a valid magic number). */
export function mutations(seedList: readonly Seed[], seed = 0x5eed): FuzzInput[] {
  const rng = new Rng(seed);
  const int = (below: number) => Math.floor(rng.next() * below);
  const inputs: FuzzInput[] = [];
  for (const { name, format, bytes } of seedList) {
    const add = (kind: string, mutated: Uint8Array<ArrayBuffer>) => inputs.push({ name: `${name}/${kind}#${inputs.length}`, bytes: mutated });
    // Truncations: every length through the headers, then random ones.
    for (let length = 0; length < Math.min(bytes.length, 48); length++) add('truncated', bytes.slice(0, length));
    for (let i = 0; i < 20; i++) add('truncated', bytes.slice(0, 48 + int(Math.max(1, bytes.length - 48))));
    // Bit flips: anywhere, and concentrated in the headers.
    for (let i = 0; i < 60; i++) add('bitflip', flipBits(bytes, 1 + int(4), bytes.length, int));
    for (let i = 0; i < 40; i++) add('header-bitflip', flipBits(bytes, 1 + int(3), Math.min(bytes.length, 48), int));
    // Stomped runs of bytes.
    for (let i = 0; i < 20; i++) {
      const copy = bytes.slice();
      const start = int(copy.length);
      const fill = [0x00, 0xff, int(256)][int(3)]!;
      copy.fill(fill, start, start + 1 + int(16));
      add('stomp', copy);
    }
    // Lying dimensions: zero, huge, extreme aspect ratios.
    for (const [width, height] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [65535, 65535],
      [50000, 50000],
      [65535, 1],
      [1, 16383],
      [16383, 16383],
    ] as const) {
      const patched = withSize(bytes, format, width, height);
      if (patched !== undefined) add(`size-${width}x${height}`, patched);
    }
    // Wrong magic and trailing junk.
    for (const offset of [0, 1, 3, 8, 9]) {
      const copy = bytes.slice();
      copy[offset] = (copy[offset]! + 1) & 0xff;
      add('magic', copy);
    }
    add('trailing-junk', concat([bytes, Uint8Array.from({ length: 64 }, () => int(256))]));
    add('doubled', concat([bytes, bytes]));
  }
  for (let i = 0; i < 150; i++) inputs.push({ name: `random#${inputs.length}`, bytes: Uint8Array.from({ length: int(2048) }, () => int(256)) });
  const magics = [
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    [0xff, 0xd8, 0xff],
    [0x52, 0x49, 0x46, 0x46, 1, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  ];
  for (let i = 0; i < 150; i++) {
    const tail = Uint8Array.from({ length: int(512) }, () => int(256));
    inputs.push({ name: `random-with-magic#${inputs.length}`, bytes: concat([Uint8Array.from(magics[i % 3]!), tail]) });
  }
  return inputs;
}

function flipBits(bytes: Uint8Array<ArrayBuffer>, count: number, within: number, int: (below: number) => number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  for (let i = 0; i < count; i++) copy[int(within)]! ^= 1 << int(8);
  return copy;
}

/** The file with its header's dimensions replaced, where the format's header has a place for them. */
function withSize(bytes: Uint8Array<ArrayBuffer>, format: ImageFormat, width: number, height: number): Uint8Array<ArrayBuffer> | undefined {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  if (format === 'png') {
    view.setUint32(16, width);
    view.setUint32(20, height);
    return copy;
  }
  if (format === 'jpeg') {
    const sof = copy.findIndex((byte, i) => byte === 0xff && (copy[i + 1] === 0xc0 || copy[i + 1] === 0xc2));
    if (sof < 0) return undefined;
    view.setUint16(sof + 5, height);
    view.setUint16(sof + 7, width);
    return copy;
  }
  const chunk = String.fromCharCode(...copy.subarray(12, 16));
  if (chunk === 'VP8 ') {
    view.setUint16(26, width & 0x3fff, true);
    view.setUint16(28, height & 0x3fff, true);
    return copy;
  }
  if (chunk === 'VP8X') {
    const [w, h] = [Math.max(0, width - 1), Math.max(0, height - 1)];
    copy.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 24);
    return copy;
  }
  return undefined;
}

function inArrayBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
