import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { encodeJpegBands } from '../../src/codec/jpeg-encoder';
import { encodePng } from '../../src/codec/png';
import { encodePngBands } from '../../src/codec/png-encoder';
import { bandsOf } from '../../src/core/bands';
import type { RgbaImage } from '../../src/core/image';
import { Canvas } from './samples/paint';
import { nodeWebpCodec } from '../core/node-codecs';
import { paintPhoto } from './photo';

const ASSETS = join(import.meta.dirname, '../../src/assets');
const TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.html': 'text/html' };

/**
 * How a painted source is stored: PNG (8-bit RGB when opaque, RGBA otherwise, not interlaced),
 * baseline JPEG (this repository's encoder: 4:4:4, quality 85), progressive JPEG (Debian's
 * `cjpeg -progressive -quality 85`, 4:2:0; needs the `libjpeg-turbo-progs` package), or lossy
 * WebP (libwebp, quality 85).
 */
type SourceEncoding = 'png' | 'jpeg' | 'progressive-jpeg' | 'webp';

/** A source painted in code, served at `path`. */
export interface PaintedSource {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** Translucent sources exercise the alpha path (bicubic alpha, larger encoder heaps); PNG and WebP only. */
  readonly translucent: boolean;
  /** Default `png`. */
  readonly encoding?: SourceEncoding;
  /**
   * `drawing` (default): gradients with a fine texture, a disc and text, as the benchmark has
   * always painted; `photo`: {@link paintPhoto}'s photo-like field, fast enough for 24 MP.
   */
  readonly style?: 'drawing' | 'photo';
}

/** A painted source that cannot be made on this machine (a missing tool), and why. */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
}

/** The largest translucent source the WebP output limit for sources with alpha accepts at x2 (1 MiP out): 512x512, painted. */
export const LARGEST_SOURCE: PaintedSource = { path: '/largest.png', width: 512, height: 512, translucent: true };

/** A running origin: its URL, more sources to serve, and how to stop it. */
export interface Origin {
  readonly url: string;
  /**
   * Paints and encodes `sources` (each at most once per process, see {@link sourceBytes}) and serves
   * them from then on; resolves with what each took to make, in ms (0 when it was made before).
   */
  add(sources: readonly PaintedSource[]): Promise<Map<string, number>>;
  /** The encoded bytes served at `path` (painted sources only). */
  bytes(path: string): Uint8Array | undefined;
  close(): void;
}

/**
 * An HTTP origin on 127.0.0.1 for the load test and the benchmark: the Worker's own assets
 * (samples, index page), plus `painted` sources (default {@link LARGEST_SOURCE}), so requests at
 * chosen sizes and formats can be measured; {@link Origin.add} adds more. Anything else is 404.
 *
 * @example
 * const origin = await startOrigin(); // origin.url: 'http://127.0.0.1:40123'
 * await origin.add([{ path: '/big.jpg', width: 6000, height: 4000, translucent: false, encoding: 'jpeg', style: 'photo' }]);
 */
export async function startOrigin(painted: readonly PaintedSource[] = [LARGEST_SOURCE]): Promise<Origin> {
  const bodies = new Map<string, Uint8Array>();
  const add = async (sources: readonly PaintedSource[]) => {
    const took = new Map<string, number>();
    // One at a time: each 24 MP raster is 96 MB, and the encoders hold more.
    for (const source of sources) {
      const start = performance.now();
      const fresh = !made.has(sourceKey(source));
      bodies.set(source.path, await sourceBytes(source));
      took.set(source.path, fresh ? performance.now() - start : 0);
    }
    return took;
  };
  await add(painted);
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://origin').pathname;
    try {
      const body = bodies.get(path) ?? (await readFile(join(ASSETS, normalize(path)))) /* normalize keeps '..' from climbing out */;
      response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Length': body.byteLength });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, add, bytes: (path) => bodies.get(path), close: () => server.close() };
}

/** Encoded sources of this process, by what they are (not where they are served). */
const made = new Map<string, Promise<Uint8Array>>();

function sourceKey({ width, height, translucent, encoding = 'png', style = 'drawing' }: PaintedSource): string {
  return `${width}x${height}/${translucent ? 'rgba' : 'rgb'}/${encoding}/${style}`;
}

/**
 * The encoded bytes of `source`, painted and encoded once per process (a 24 MP source takes
 * seconds) and shared by every origin and path that serves the same image.
 */
function sourceBytes(source: PaintedSource): Promise<Uint8Array> {
  const key = sourceKey(source);
  let bytes = made.get(key);
  if (bytes === undefined) {
    bytes = encodeSource(source);
    made.set(key, bytes);
    bytes.catch(() => made.delete(key));
  }
  return bytes;
}

/**
 * Per-pixel grain of photo-style sources by encoding: JPEG and WebP get camera-like detail (about 2.3
 * bits per pixel at quality 85); PNG less, so that a 24 MP opaque PNG (about 1.2 bytes per pixel)
 * stays under the default 32 MiB source limit, as a PNG that size must to be accepted at all.
 */
const GRAIN_BY_ENCODING: Readonly<Record<SourceEncoding, number>> = { png: 10, jpeg: 28, 'progressive-jpeg': 28, webp: 28 };

const QUALITY = 85;

async function encodeSource(source: PaintedSource): Promise<Uint8Array> {
  const encoding = source.encoding ?? 'png';
  if (source.translucent && (encoding === 'jpeg' || encoding === 'progressive-jpeg'))
    throw new RangeError(`${source.path}: JPEG has no alpha; paint it opaque`);
  if (encoding === 'progressive-jpeg') checkCjpeg();
  const image =
    source.style === 'photo'
      ? paintPhoto(source.width, source.height, { translucent: source.translucent, grain: GRAIN_BY_ENCODING[encoding] })
      : paintDrawing(source);
  switch (encoding) {
    case 'png':
      return source.style === 'photo' ? gather(encodePngBands(bandsOf(image, !source.translucent))) : encodePng(image, !source.translucent);
    case 'jpeg':
      return gather(encodeJpegBands(bandsOf(image, true), QUALITY));
    case 'progressive-jpeg':
      return cjpegProgressive(image);
    case 'webp':
      return nodeWebpCodec().encode(image, QUALITY);
  }
}

async function gather(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

let cjpegChecked: boolean | undefined;

function checkCjpeg(): void {
  if (cjpegChecked === undefined) {
    try {
      execFileSync('cjpeg', ['-version'], { stdio: 'pipe' });
      cjpegChecked = true;
    } catch (error) {
      // cjpeg -version exits 0 on libjpeg-turbo; a missing binary is ENOENT.
      cjpegChecked = (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }
  if (!cjpegChecked) throw new SourceUnavailableError('progressive JPEG sources need cjpeg (Debian: apt-get install libjpeg-turbo-progs)');
}

/** A progressive JPEG (4:2:0, libjpeg's default scan script) from the image's RGB, through a PPM. */
function cjpegProgressive(image: RgbaImage): Uint8Array {
  const header = Buffer.from(`P6\n${image.width} ${image.height}\n255\n`, 'ascii');
  const ppm = Buffer.alloc(header.length + image.width * image.height * 3);
  header.copy(ppm);
  for (let p = 0, q = header.length; p < image.data.length; p += 4, q += 3) {
    ppm[q] = image.data[p]!;
    ppm[q + 1] = image.data[p + 1]!;
    ppm[q + 2] = image.data[p + 2]!;
  }
  const jpeg = execFileSync('cjpeg', ['-progressive', '-quality', String(QUALITY)], { input: ppm, maxBuffer: 1 << 30 });
  // SOF2 (FFC2) marks a progressive frame; cjpeg without -progressive writes SOF0.
  if (jpeg.indexOf(Buffer.from([0xff, 0xc2])) < 0) throw new Error('cjpeg -progressive wrote no progressive frame (SOF2)');
  return jpeg;
}

/**
 * Colour gradients with a fine deterministic texture (so the PNG does not compress like a flat
 * drawing, and the model has detail to work on), a disc and text; translucent sources vary alpha.
 */
function paintDrawing({ width, height, translucent }: PaintedSource): RgbaImage {
  const texture = (x: number, y: number) => ((x * 7919 + y * 104729) ^ (x * y)) % 23;
  return new Canvas(width, height)
    .fill((x, y) => [(x + texture(x, y)) % 256, (y + texture(y, x)) % 256, (x * y + texture(x, y)) % 256, translucent ? 96 + ((x + y) % 160) : 255])
    .disc(width * 0.48, height * 0.48, Math.min(width, height) * 0.32, [240, 200, 30, 255])
    .text('WDSR-B', 20, 20, Math.max(1, Math.round(width / 100)), [0, 0, 0, 255]).image;
}
