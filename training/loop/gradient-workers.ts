import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../config/experiment';
import type { PatchBatch } from '../data/sampler';
import type { NamedWeights } from '../model/weights';

/** One shard's loss and gradients as plain data, as a worker thread sends them back. */
export interface ShardResult {
  readonly loss: number;
  /** Every trainable variable's gradient, in `model.trainableVariables` order, concatenated. */
  readonly gradients: Float32Array;
}

/** What the main thread asks of a gradient worker (see gradient-worker.ts). */
export type WorkerRequest =
  | { readonly type: 'init'; readonly config: ExperimentConfig; readonly weights: NamedWeights }
  | { readonly type: 'step'; readonly weights: Float32Array; readonly batch: PatchBatch };

export type WorkerReply = { readonly type: 'ready' } | { readonly type: 'gradients'; readonly result: ShardResult };

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const BODY = new URL('./gradient-worker.ts', import.meta.url).href;

/**
 * Worker threads that each hold a replica of the run's model, on the run's backend, and
 * compute the loss and gradients of one shard of a batch at a time (see `trainStep`).
 * A worker that throws or exits fails its request and every later one with an error
 * naming it, so the training loop stops instead of waiting forever; `close()` ends them.
 *
 * @example
 * const workers = await GradientWorkers.start(1, config, model.namedWeights());
 * try { await trainStep(model, adam, batch, 1e-3, workers); } finally { await workers.close(); }
 */
export class GradientWorkers {
  private constructor(private readonly threads: readonly GradientThread[]) {}

  /** Starts `count` threads with the model built from `config` and `weights`, and waits until each is ready. */
  static async start(count: number, config: ExperimentConfig, weights: NamedWeights): Promise<GradientWorkers> {
    const pool = new GradientWorkers(Array.from({ length: count }, (_, i) => new GradientThread(i + 1)));
    try {
      await Promise.all(pool.threads.map((thread) => thread.request({ type: 'init', config, weights })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  /** Shard `i` goes to thread `i`, with the weights to compute it at; results come back in the same order. Transfers the shards' buffers. */
  compute(weights: Float32Array, shards: readonly PatchBatch[]): Promise<ShardResult[]> {
    if (shards.length !== this.threads.length) throw new Error(`${this.threads.length} gradient workers got ${shards.length} shards`);
    return Promise.all(
      this.threads.map(async (thread, i) => {
        const shard = shards[i]!;
        const buffers = [shard.lr, shard.hr, ...(shard.teacher === undefined ? [] : [shard.teacher.sr])].map((array) => array.buffer as ArrayBuffer);
        const reply = await thread.request({ type: 'step', weights, batch: shard }, buffers);
        if (reply.type !== 'gradients') throw new Error(`gradient worker ${i + 1} answered a step with '${reply.type}'`);
        return reply.result;
      }),
    );
  }

  /** Terminates every thread (idempotent); a request still running is abandoned. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }
}

/** One worker thread with at most one request in flight. */
class GradientThread {
  private readonly worker: Worker;
  private pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private closing = false;

  constructor(readonly index: number) {
    this.worker = new Worker(ENTRY, { workerData: { entry: BODY } });
    this.worker.on('message', (reply: WorkerReply) => this.settle()?.resolve(reply));
    this.worker.on('error', (error) => this.fail(new Error(`gradient worker ${index} failed: ${error.message}`, { cause: error })));
    this.worker.on('messageerror', (error) => this.fail(new Error(`gradient worker ${index}: unreadable message: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`gradient worker ${index} exited unexpectedly with code ${code}`));
    });
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending !== undefined) return Promise.reject(new Error(`gradient worker ${this.index} is already busy`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
    this.fail(new Error(`gradient worker ${this.index} was closed`));
  }

  private settle(): GradientThread['pending'] {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.settle()?.reject(this.failure);
  }
}
