import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/init';
import type { TfjsModel } from '../model/tfjs-model';
import { unflattenTensors } from './flat-tensors';
import type { WorkerReply, WorkerRequest } from './gradient-workers';
import { buildModel } from './session';
import { shardGradients } from './train-step';

/**
 * The body of a gradient worker thread (started by `GradientWorkers`): it builds the
 * run's model through the same `buildModel` as the main thread, then, per step, takes
 * the current weights and a shard of the batch and answers with that shard's loss and
 * gradients. A failure is rethrown outside any promise, so the thread dies with it and
 * the main thread's 'error' handler reports it.
 */
const port = parentPort;
if (port === null) throw new Error('gradient-worker.ts runs in a worker thread started by GradientWorkers');
let model: TfjsModel | undefined;

port.on('message', (request: WorkerRequest) => {
  serve(request).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (error: unknown) =>
      process.nextTick(() => {
        throw error;
      }),
  );
});

async function serve(request: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (request.type) {
    case 'init':
      await initBackend(request.config.train.backend);
      model = buildModel(request.config, request.weights);
      return { reply: { type: 'ready' }, transfer: [] };
    case 'step': {
      if (model === undefined) throw new Error('gradient worker: step before init');
      const variables = model.trainableVariables;
      tf.tidy(() => {
        unflattenTensors(request.weights, variables).forEach((value, i) => {
          variables[i]!.assign(value);
        });
      });
      const result = shardGradients(model, request.batch);
      return { reply: { type: 'gradients', result }, transfer: [result.gradients.buffer as ArrayBuffer] };
    }
  }
}
