import { readFile } from 'node:fs/promises';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import { timingInput } from './forward-timing';

export type Runtime = 'onnxruntime-node' | 'onnxruntime-web';

/**
 * Median wall time of one forward pass on a `size` x `size` LR input, single-threaded in
 * both runtimes so native and WASM compare like for like (workerd runs WASM on one thread).
 * onnxruntime-web here is the same WASM build the Worker runs, hosted by Node instead of workerd.
 */
export async function medianInferenceSeconds(modelPath: string, runtime: Runtime, size: number, repeats: number): Promise<number> {
  const bytes = new Uint8Array(await readFile(modelPath));
  const ort = (runtime === 'onnxruntime-node' ? ortNode : ortWeb) as typeof ortNode;
  if (runtime === 'onnxruntime-web') ortWeb.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, runtime === 'onnxruntime-node' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {});
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', timingInput(size), [1, 3, size, size]) };
    await session.run(feeds); // warm-up: first run allocates and plans
    const seconds: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await session.run(feeds);
      seconds.push((performance.now() - start) / 1000);
    }
    return seconds.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
  } finally {
    await session.release();
  }
}
