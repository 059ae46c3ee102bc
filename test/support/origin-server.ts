import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { encodePng } from '../../src/codec/png';
import { Canvas } from '../../src/samples/paint';

const ASSETS = join(import.meta.dirname, '../../src/assets');
const TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.html': 'text/html' };

/** A PNG source painted in code, served at `path`. */
export interface PaintedSource {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** Translucent sources exercise the alpha path (bicubic alpha, larger encoder heaps). */
  readonly translucent: boolean;
}

/** The largest source the default limits accept (384 Ki pixels): 627x627, translucent, painted. */
export const LARGEST_SOURCE: PaintedSource = { path: '/largest.png', width: 627, height: 627, translucent: true };

/**
 * An HTTP origin on 127.0.0.1 for the load test and the benchmark: the Worker's own assets
 * (samples, index page), plus `painted` sources (default {@link LARGEST_SOURCE}), so requests at
 * chosen sizes can be measured. Anything else is 404.
 *
 * @example
 * const origin = await startOrigin(); // origin.url: 'http://127.0.0.1:40123'
 */
export async function startOrigin(painted: readonly PaintedSource[] = [LARGEST_SOURCE]): Promise<{ url: string; close(): void }> {
  const bodies = new Map(painted.map((source) => [source.path, paintSource(source)]));
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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * Colour gradients with a fine deterministic texture (so the PNG does not compress like a flat
 * drawing, and the model has detail to work on), a disc and text; translucent sources vary alpha.
 */
function paintSource({ width, height, translucent }: PaintedSource): Uint8Array {
  const texture = (x: number, y: number) => ((x * 7919 + y * 104729) ^ (x * y)) % 23;
  const canvas = new Canvas(width, height)
    .fill((x, y) => [(x + texture(x, y)) % 256, (y + texture(y, x)) % 256, (x * y + texture(x, y)) % 256, translucent ? 96 + ((x + y) % 160) : 255])
    .disc(width * 0.48, height * 0.48, Math.min(width, height) * 0.32, [240, 200, 30, 255])
    .text('WDSR-B', 20, 20, Math.max(1, Math.round(width / 100)), [0, 0, 0, 255]);
  return encodePng(canvas.image, !translucent);
}
