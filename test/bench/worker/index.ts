import { Hono, type MiddlewareHandler } from 'hono';
import manifestJson from '../../../model/manifest.json';
import fp32Bytes from '../../../model/wdsr-b-x2-f16b8-reparam-restart44k-fp32.onnx';
import int8Bytes from '../../../model/wdsr-b-x2-f16b8-qat-int8.onnx';
import { parseManifest } from '../../../src/core/manifest';
import { createModelCatalog } from '../../../src/core/model-catalog';
import { readConfig } from '../../../src/config';
import { createOrtRunner } from '../../../src/inference/ort-runner';
import worker from '../../../src/index';
import type { ImageCodecs } from '../../../src/codec/codecs';
import type { RgbaBand } from '../../../src/core/bands';
import type { ModelCatalog } from '../../../src/core/model-catalog';
import type { ModelRunner } from '../../../src/core/model-runner';
import { upscale } from '../../../src/package-entry';
import { shippedCodecs, shippedModels } from '../../../src/platform/shipped';
import { wasmMemoryBytes } from '../../../src/inference/wasm-memory';
import { modelTime } from './model-time';

/*
 * The Worker as shipped (src/index.ts), observed for `npm run bench` (`wrangler dev
 * test/bench/worker/index.ts`, the rest of wrangler.toml unchanged):
 * - work handed to `waitUntil` (the cache put after a miss, which ends after the response and so
 *   is not in Server-Timing) is timed from hand-over to settling; GET /_bench/background returns
 *   the durations so far and forgets them; GET /_bench/config the settings the Worker runs with
 *   (tile size, limits, cost model, deadline) and the isolate's name, GET /_bench/memory the isolate's WebAssembly
 *   memories (src/inference/wasm-memory.ts);
 * - the streamed stages are timed, since they run while the body streams, after the Server-Timing
 *   header has gone: every model run (the shipped catalog's runners and the reference ones are
 *   wrapped), the source's strips and the encoder's chunks (the shipped codecs' banded entry points
 *   are wrapped), and when the handler returned and the body was pulled; GET /_bench/work returns
 *   them for the requests since the last call and starts afresh; GET /_bench/read-origin?path=P
 *   reads an origin file whole and says how long that took inside the isolate;
 * - a request with `X-Bench-Tile: N` and/or `X-Bench-Model: fp32 | int8` is served, uncached, by the
 *   package middleware with that tile size and/or that reference of the served model, so tile
 *   sizes and precisions compare on one isolate without redeploying;
 * - POST /_bench/model-time times the ONNX model in the body, whole-image, in this isolate's
 *   onnxruntime-web (./model-time.ts), for `npm run compare:sizes`.
 */

type Bindings = { readonly ORIGIN: string };

/**
 * The streamed work since the last GET /_bench/work, timed inside the isolate (one request at a
 * time in the benchmark, so it is that request's): inference, the source's decode in strips, the
 * body's chunks, and when (ms after the request arrived) the handler returned its response and
 * the body was first and last pulled. Server-Timing can only carry what happens before the first
 * byte; these are the stages that run after it.
 */
function freshWork() {
  return {
    inferenceMs: 0,
    tiles: 0,
    inputPixels: 0,
    /** Source band pulls made by the body (strips); those before it (a source decoded whole) are in Server-Timing's `decode`. */
    decodeMs: 0,
    decodeBands: 0,
    /** Time inside the body's `next()`: everything the stream computes (decode strips, inference, resample, encode). */
    bodyMs: 0,
    chunks: 0,
    returnedAt: undefined as number | undefined,
    firstPullAt: undefined as number | undefined,
    lastChunkAt: undefined as number | undefined,
  };
}
let work = freshWork();
let requestStart = 0;
/** Whether a body pull is in progress: source bands pulled meanwhile are decoded in strips, as the body streams. */
let inBody = false;
const since = () => performance.now() - requestStart;

/** `runner`, with every run's wall time added to {@link work}. */
function timedRunner(runner: ModelRunner): ModelRunner {
  return {
    model: runner.model,
    async run(input) {
      const start = performance.now();
      try {
        return await runner.run(input);
      } finally {
        work.inferenceMs += performance.now() - start;
        work.tiles++;
        work.inputPixels += input.width * input.height;
      }
    },
    close: () => runner.close(),
  };
}

/** A source's bands, each pull timed into {@link work}. */
async function* timedBands(bands: AsyncIterable<RgbaBand>): AsyncGenerator<RgbaBand> {
  const iterator = bands[Symbol.asyncIterator]();
  for (;;) {
    const start = performance.now();
    const streaming = inBody;
    const next = await iterator.next();
    if (streaming) work.decodeMs += performance.now() - start;
    if (next.done) return;
    if (streaming) work.decodeBands++;
    yield next.value;
  }
}

/** An encoder's chunks, each `next()` timed into {@link work}. */
async function* timedChunks(chunks: AsyncGenerator<Uint8Array<ArrayBuffer>>): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  try {
    for (;;) {
      const start = performance.now();
      work.firstPullAt ??= since();
      inBody = true;
      const next = await chunks.next().finally(() => (inBody = false));
      work.bodyMs += performance.now() - start;
      if (next.done) return;
      work.chunks++;
      work.lastChunkAt = since();
      yield next.value;
    }
  } finally {
    await chunks.return(undefined);
  }
}

/** Wraps the codecs' banded entry points in place (one object per isolate), observing only. */
function timeCodecs(codecs: ImageCodecs): void {
  const decodeBands = codecs.decodeBands.bind(codecs);
  const encodeBands = codecs.encodeBands.bind(codecs);
  codecs.decodeBands = async (bytes, header, atLeast) => {
    const image = await decodeBands(bytes, header, atLeast);
    return { ...image, bands: timedBands(image.bands) };
  };
  codecs.encodeBands = (image, format, quality) => timedChunks(encodeBands(image, format, quality));
}

/**
 * Wraps `catalog.lease` in place (the shipped catalog is one object per isolate, read by the
 * Worker on every request), each lease's runner timed. Observes only: the runs are the same.
 */
function timeRuns(catalog: ModelCatalog): ModelCatalog {
  const lease = catalog.lease.bind(catalog);
  catalog.lease = async (scale) => {
    const held = await lease(scale);
    return { runner: timedRunner(held.runner), end: () => held.end() };
  };
  return catalog;
}
timeRuns(shippedModels);
timeCodecs(shippedCodecs);

/**
 * The served x2 model's references in other precisions, each a catalog of its own sharing the
 * isolate's ORT runtime. `references` also holds fp32 models still in training (other sizes and
 * scales); only these two are bundled here.
 */
const REFERENCES: Readonly<Record<string, { readonly file: string; readonly bytes: ArrayBuffer }>> = {
  fp32: { file: 'wdsr-b-x2-f16b8-reparam-restart44k-fp32.onnx', bytes: fp32Bytes },
  int8: { file: 'wdsr-b-x2-f16b8-qat-int8.onnx', bytes: int8Bytes },
};

function referenceCatalog(name: string) {
  const reference = REFERENCES[name];
  if (reference === undefined) throw new Error(`X-Bench-Model must be one of ${Object.keys(REFERENCES).join(', ')}, got ${name}`);
  const entries = manifestJson.references.filter((model) => model.file === reference.file);
  return timeRuns(createModelCatalog(parseManifest({ schemaVersion: 1, models: entries }), (model) => createOrtRunner(model, reference.bytes)));
}
const variants = new Map<string, MiddlewareHandler>();

function variant(origin: string, tile: string | undefined, model: string | undefined): MiddlewareHandler {
  const key = `${tile}/${model}`;
  let middleware = variants.get(key);
  if (middleware === undefined) {
    middleware = upscale({
      origin,
      cache: false,
      tileSize: tile === undefined ? undefined : Number(tile),
      models: model === undefined ? undefined : referenceCatalog(model),
    });
    variants.set(key, middleware);
  }
  return middleware;
}

const background: number[] = [];

function timedContext(ctx: ExecutionContext): ExecutionContext {
  return {
    waitUntil(work: Promise<unknown>) {
      const start = performance.now();
      ctx.waitUntil(work.finally(() => background.push(performance.now() - start)));
    },
    passThroughOnException: () => ctx.passThroughOnException(),
    props: ctx.props,
  } as ExecutionContext;
}

const bench = new Hono<{ Bindings: Bindings }>();
bench.get('/_bench/background', (c) => c.json(background.splice(0)));
/**
 * This isolate's name, drawn on its first request (workerd allows no random values at startup):
 * `wrangler dev` reloads the Worker when a source file changes, and a benchmark of a long-lived
 * isolate must know whether it still has the same one.
 */
let isolateId: string | undefined;
bench.get('/_bench/config', (c) => {
  const config = readConfig(c.env);
  isolateId ??= crypto.randomUUID();
  return c.json({ tileSize: config.tileSize, limits: config.limits, cost: config.cost, deadlineMs: config.deadlineMs, isolate: isolateId });
});
bench.get('/_bench/work', (c) => {
  const done = work;
  work = freshWork();
  return c.json(done);
});
bench.get('/_bench/memory', (c) => c.json(wasmMemoryBytes()));
/** Reads the origin's `path` whole and answers how long that took in here: set beside the client's round trip, what wrangler dev adds after a large subrequest. */
bench.get('/_bench/read-origin', async (c) => {
  const start = performance.now();
  const response = await fetch(c.env.ORIGIN + (c.req.query('path') ?? '/'));
  const bytes = (await response.arrayBuffer()).byteLength;
  return c.json({ status: response.status, bytes, ms: performance.now() - start });
});
bench.post('/_bench/model-time', modelTime);
bench.use('*', async (_c, next) => {
  // Every other request (renditions, the origin's pass-through) is one the benchmark times.
  requestStart = performance.now();
  await next();
  work.returnedAt ??= since();
});
bench.use('*', (c, next) => {
  const tile = c.req.header('X-Bench-Tile');
  const model = c.req.header('X-Bench-Model');
  return tile === undefined && model === undefined ? next() : variant(c.env.ORIGIN, tile, model)(c, next);
});
bench.all('*', (c) => worker.fetch(c.req.raw, c.env as unknown as Env, timedContext(c.executionCtx)));

export default bench;
