import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createWasmSession, ort } from '../../../src/inference/ort-wasm';
import { TILED_SESSION_OPTIONS } from '../../../src/inference/session-runner';
import { timingInput, type ModelTimeResult } from '../../../training/reports/forward-timing';
import { summarise } from '../../support/stats';

/** Largest LR side: a whole-image pass holds every activation of the image in the isolate at once. */
const MAX_SIZE = 512;
const MAX_REPEATS = 25;

/** A query parameter given exactly once as an integer in [1, max]; anything else is a 400, never a default. */
function integerParam(query: URLSearchParams, name: string, max: number): number {
  const values = query.getAll(name);
  const text = values[0] ?? '';
  if (values.length !== 1 || !/^[1-9][0-9]*$/.test(text) || Number(text) > max) {
    throw new HTTPException(400, { message: `${name} must be given once, as an integer from 1 to ${max}` });
  }
  return Number(text);
}

/**
 * `POST /_bench/model-time?size=N&repeats=R` with an ONNX model as the body: times that model in
 * this isolate's onnxruntime-web (the Worker's WASM runtime, one thread, sessions made as the Worker
 * makes them), so model sizes compare in workerd without bundling each one. One warm-up, then
 * `repeats` forward passes over the whole N x N input (no tiles: the per-pixel cost of the network
 * itself); answers a {@link ModelTimeResult}. Only local workerd measures this: on Cloudflare's
 * edge the clock stands still during computation (src/http/timing.ts).
 *
 * @example
 * await fetch(`${url}/_bench/model-time?size=256&repeats=5`, { method: 'POST', body: onnxBytes });
 * // { inputSize: 256, outputWidth: 512, outputHeight: 512, seconds: [...], medianSeconds: 0.31 }
 */
export async function modelTime(c: Context): Promise<Response> {
  const query = new URL(c.req.url).searchParams;
  const size = integerParam(query, 'size', MAX_SIZE);
  const repeats = integerParam(query, 'repeats', MAX_REPEATS);
  const model = new Uint8Array(await c.req.arrayBuffer());
  if (model.length === 0) throw new HTTPException(400, { message: 'the body must be an ONNX model' });
  const session = await createWasmSession(model, TILED_SESSION_OPTIONS).catch((error: unknown) => {
    throw new HTTPException(400, { message: `onnxruntime-web could not create a session from the body: ${(error as Error).message}` });
  });
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', timingInput(size), [1, 3, size, size]) };
    // The warm-up's output tells the output size: the first pass also allocates and plans.
    const [, , outputHeight, outputWidth] = (await session.run(feeds))[session.outputNames[0]!]!.dims;
    const seconds: number[] = [];
    for (let run = 0; run < repeats; run++) {
      const start = performance.now();
      await session.run(feeds);
      seconds.push((performance.now() - start) / 1000);
    }
    const result: ModelTimeResult = { inputSize: size, outputWidth: outputWidth!, outputHeight: outputHeight!, seconds, medianSeconds: summarise(seconds).p50 };
    return c.json(result);
  } finally {
    await session.release();
  }
}
