import { Hono, type MiddlewareHandler } from 'hono';
import manifestJson from '../../../model/manifest.json';
import fp32Bytes from '../../../model/wdsr-b-x2-fp32.onnx';
import int8Bytes from '../../../model/wdsr-b-x2-int8.onnx';
import { parseManifest } from '../../../src/core/manifest';
import { createModelCatalog } from '../../../src/core/model-catalog';
import { readConfig } from '../../../src/config';
import { createOrtRunner } from '../../../src/inference/ort-runner';
import worker from '../../../src/index';
import type { ModelCatalog } from '../../../src/core/model-catalog';
import type { ModelRunner } from '../../../src/core/model-runner';
import { upscale } from '../../../src/middleware';
import { shippedModels } from '../../../src/platform/shipped';
import { wasmMemoryBytes } from '../../../src/platform/wasm-memory';
import { modelTime } from './model-time';

/*
 * The Worker as shipped (src/index.ts), observed for `npm run bench` (`wrangler dev
 * test/bench/worker/index.ts`, the rest of wrangler.toml unchanged):
 * - work handed to `waitUntil` (the cache put after a miss, which ends after the response and so
 *   is not in Server-Timing) is timed from hand-over to settling; GET /_bench/background returns
 *   the durations so far and forgets them; GET /_bench/config the settings the Worker runs with
 *   (tile size, limits, cost model, deadline), GET /_bench/memory the isolate's WebAssembly
 *   memories (src/platform/wasm-memory.ts);
 * - every model run (one tile) is timed: the shipped catalog's runners, and the reference ones,
 *   are wrapped in a timer, since inference now happens while the body streams, after the
 *   Server-Timing header has gone; GET /_bench/inference returns the runs since the last call
 *   (milliseconds, tiles, input pixels) and starts counting afresh;
 * - a request with `X-Bench-Tile: N` and/or `X-Bench-Model: fp32 | int8` is served, uncached, by the
 *   package middleware with that tile size and/or that reference of the served model, so tile
 *   sizes and precisions compare on one isolate without redeploying;
 * - POST /_bench/model-time times the ONNX model in the body, whole-image, in this isolate's
 *   onnxruntime-web (./model-time.ts), for `npm run compare:sizes`.
 */

type Bindings = { readonly ORIGIN: string };

/** Model runs since the last GET /_bench/inference: one request at a time in the benchmark, so they are its own. */
const inference = { ms: 0, runs: 0, inputPixels: 0 };

/** `runner`, with every run's wall time added to {@link inference}. */
function timedRunner(runner: ModelRunner): ModelRunner {
  return {
    model: runner.model,
    async run(input) {
      const start = performance.now();
      try {
        return await runner.run(input);
      } finally {
        inference.ms += performance.now() - start;
        inference.runs++;
        inference.inputPixels += input.width * input.height;
      }
    },
  };
}

/**
 * Wraps `catalog.runner` in place (the shipped catalog is one object per isolate, read by the
 * Worker on every request), each scale's runner wrapped once. Observes only: the runs are the same.
 */
function timeRuns(catalog: ModelCatalog): ModelCatalog {
  const load = catalog.runner.bind(catalog);
  const timed = new Map<number, Promise<ModelRunner>>();
  catalog.runner = (scale) => {
    let runner = timed.get(scale);
    if (runner === undefined) {
      runner = load(scale).then(timedRunner);
      timed.set(scale, runner);
    }
    return runner;
  };
  return catalog;
}
timeRuns(shippedModels);

/**
 * The served x2 model's references in other precisions, each a catalog of its own sharing the
 * isolate's ORT runtime. `references` also holds fp32 models still in training (other sizes and
 * scales); only these two are bundled here.
 */
const REFERENCES: Readonly<Record<string, { readonly file: string; readonly bytes: ArrayBuffer }>> = {
  fp32: { file: 'wdsr-b-x2-fp32.onnx', bytes: fp32Bytes },
  int8: { file: 'wdsr-b-x2-int8.onnx', bytes: int8Bytes },
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
    middleware = upscale({ origin, cache: false, tileSize: tile === undefined ? undefined : Number(tile), models: model === undefined ? undefined : referenceCatalog(model) });
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
bench.get('/_bench/config', (c) => {
  const config = readConfig(c.env);
  return c.json({ tileSize: config.tileSize, limits: config.limits, cost: config.cost, deadlineMs: config.deadlineMs });
});
bench.get('/_bench/inference', (c) => {
  const runs = { ...inference };
  Object.assign(inference, { ms: 0, runs: 0, inputPixels: 0 });
  return c.json(runs);
});
bench.get('/_bench/memory', (c) => c.json(wasmMemoryBytes()));
bench.post('/_bench/model-time', modelTime);
bench.use('*', (c, next) => {
  const tile = c.req.header('X-Bench-Tile');
  const model = c.req.header('X-Bench-Model');
  return tile === undefined && model === undefined ? next() : variant(c.env.ORIGIN, tile, model)(c, next);
});
bench.all('*', (c) => worker.fetch(c.req.raw, c.env as unknown as Env, timedContext(c.executionCtx)));

export default bench;
