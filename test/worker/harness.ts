import { Hono } from 'hono';
import { MODEL_FILES } from '../../model/files';
import manifestJson from '../../model/manifest.json';
import type { ImageFormat } from '../../src/codec/format';
import { readImageHeader } from '../../src/codec/header';
import { DEFAULT_CONFIG } from '../../src/config';
import type { RgbaImage } from '../../src/core/image';
import { parseManifest } from '../../src/core/manifest';
import type { ModelRunner } from '../../src/core/model-runner';
import { handleError } from '../../src/http/handle-error';
import type { Origin } from '../../src/http/origin';
import { passthrough } from '../../src/http/passthrough';
import { serveRenditions, type RenditionServiceOptions } from '../../src/http/renditions';
import { shippedCodecs, shippedModels } from '../../src/platform/shipped';
import { Canvas } from '../support/samples/paint';

/** The shipped manifest and model files, in a real onnxruntime-web session (the one the Worker uses). */
export const manifest = parseManifest(manifestJson);
export const models = shippedModels;

/** Runs `work` with the shipped runner for `scale`, leased for the duration. */
export async function withRunner<T>(scale: number, work: (runner: ModelRunner) => Promise<T>): Promise<T> {
  const lease = await models.lease(scale);
  try {
    return await work(lease.runner);
  } finally {
    lease.end();
  }
}
/** The served x2 model's bundled bytes, whatever its file is called this release. */
export const servedX2Bytes = (): ArrayBuffer => MODEL_FILES[manifest.models.find((model) => model.scale === 2)!.file]!;
export const codecs = shippedCodecs;
/** The shipped scales as error messages list them, e.g. `2, 4`. */
export const shippedScales = manifest.models
  .map((model) => model.scale)
  .sort((a, b) => a - b)
  .join(', ');

/** What the test origin answers for a path: a response, an error to reject with, or no answer. */
export type OriginRoute = (() => Response) | { readonly reject: Error } | 'hang';

/**
 * An origin server for tests, standing in for the HTTP server behind a URL prefix. It keeps the
 * `fetch` contract our code relies on: it rejects with the signal's reason when aborted, and it
 * counts requests per path so tests can tell cache hits from origin fetches.
 */
export class TestOrigin implements Origin {
  readonly requests = new Map<string, number>();
  constructor(private readonly routes: Readonly<Record<string, OriginRoute>>) {}

  fetch(path: string, init: RequestInit): Promise<Response> {
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    const route = this.routes[path];
    if (route === undefined) return Promise.resolve(new Response('not found', { status: 404 }));
    if (route === 'hang') {
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    }
    if (typeof route === 'function') return Promise.resolve(route());
    return Promise.reject(route.reject);
  }
}

/** The service as the shipped Worker composes it, over the given origin; options override defaults. */
export function serviceApp(origin: Origin, overrides: Partial<RenditionServiceOptions> = {}): Hono {
  const app = new Hono();
  app.use('*', serveRenditions({ ...DEFAULT_CONFIG, origin: () => origin, models, codecs, cache: undefined, ...overrides }));
  app.all('*', passthrough({ origin: () => origin, timeoutMs: overrides.originTimeoutMs ?? DEFAULT_CONFIG.originTimeoutMs }));
  app.onError(handleError);
  return app;
}

/** A painted test image: gradient, shapes and strokes; translucent when `alpha` is set. */
export function paintedImage(width: number, height: number, alpha = false): RgbaImage {
  return new Canvas(width, height)
    .fill((x, y) => [(x * 255) / width, (y * 255) / height, 128, alpha ? 64 + ((x + y) % 128) : 255])
    .disc(width / 3, height / 2, Math.min(width, height) / 4, [240, 200, 30, 255])
    .box((2 * width) / 3, height / 2, width / 4, height / 3, 0.6, [20, 30, 160, 255])
    .text('WDSR', 2, 2, 1, [0, 0, 0, 255]).image;
}

/** A painted image encoded as `format`, served with that format's media type. */
export async function imageResponse(format: ImageFormat, width: number, height: number, alpha = false): Promise<() => Response> {
  const bytes = await codecs.encode(paintedImage(width, height, alpha), format, 90);
  return () => new Response(bytes, { headers: { 'Content-Type': `image/${format}` } });
}

/** Reads the width and height an image response carries, from its header. */
export async function responseSize(response: Response): Promise<{ format: ImageFormat; width: number; height: number }> {
  const { format, width, height } = readImageHeader(new Uint8Array(await response.arrayBuffer()));
  return { format, width, height };
}
