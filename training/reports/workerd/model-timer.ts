import type { ModelTimeResult } from '../forward-timing';
import { findWorkerd } from './process-memory';
import { shareAutogroupNice } from './scheduling';
import { startWranglerDev } from './wrangler-dev';

/** Times ONNX models in workerd, one at a time, through the bench Worker's `POST /_bench/model-time`. */
export interface ModelTimer {
  /** One warm-up and `repeats` whole-image forward passes of `model` on a `size` x `size` LR input. */
  time(model: Uint8Array, size: number, repeats: number): Promise<ModelTimeResult>;
  /** The autogroup nice workerd's session was given: this process's (0, the default, when it has none). */
  readonly autogroupNice: number;
  /** Stops wrangler and workerd. */
  stop(): Promise<void>;
}

/**
 * Starts the bench Worker (test/bench/worker/index.ts) under `wrangler dev`, as `npm run bench`
 * does, with workerd given this process's autogroup priority (./scheduling.ts).
 *
 * @example
 * const timer = await startModelTimer();
 * try { secondsPerOutputMegapixel(await timer.time(bytes, 256, 5)); } finally { await timer.stop(); }
 */
export async function startModelTimer(): Promise<ModelTimer> {
  const server = await startWranglerDev({ script: 'test/bench/worker/index.ts' });
  let autogroupNice: number;
  try {
    autogroupNice = shareAutogroupNice(findWorkerd(server.port)) ?? 0;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    autogroupNice,
    async time(model, size, repeats) {
      const path = `/_bench/model-time?size=${size}&repeats=${repeats}`;
      const response = await fetch(server.url + path, { method: 'POST', body: model, signal: AbortSignal.timeout(600_000) });
      if (response.status !== 200) throw new Error(`POST ${path}: status ${response.status}: ${(await response.text()).slice(0, 300)}`);
      return (await response.json()) as ModelTimeResult;
    },
    stop: () => server.stop(),
  };
}
