import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { encodePng } from '../../src/codec/png';
import { Canvas } from '../../src/samples/paint';

const ASSETS = join(import.meta.dirname, '../../src/assets');
const TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.html': 'text/html' };

/** The largest source the default limits accept (384 Ki pixels): 627x627, translucent, painted. */
export const LARGEST_SOURCE = { path: '/largest.png', width: 627, height: 627 } as const;

/**
 * An HTTP origin on 127.0.0.1 for the load test: the Worker's own assets (samples, index page),
 * plus {@link LARGEST_SOURCE}, so requests at the size limits can be measured. Anything else is 404.
 *
 * @example
 * const origin = await startOrigin(); // origin.url: 'http://127.0.0.1:40123'
 */
export async function startOrigin(): Promise<{ url: string; close(): void }> {
  const { width, height } = LARGEST_SOURCE;
  const largest = encodePng(
    new Canvas(width, height).fill((x, y) => [x % 256, y % 256, (x * y) % 256, 96 + ((x + y) % 160)]).disc(300, 300, 200, [240, 200, 30, 255]).text('WDSR-B', 20, 20, 6, [0, 0, 0, 255]).image,
    false,
  );
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://origin').pathname;
    try {
      const body = path === LARGEST_SOURCE.path ? largest : await readFile(join(ASSETS, normalize(path))) /* normalize keeps '..' from climbing out */;
      response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Length': body.byteLength });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
