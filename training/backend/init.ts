import * as tf from '@tensorflow/tfjs-core';
import { registerTfjsGradients } from './gradients';
import { loadNativeTensorflowBackend } from './tensorflow-native';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

/** 'wasm' (default: XNNPACK, SIMD), 'cpu' (plain JS, ~400x slower; reference), 'tensorflow' (native, optional). */
export const BACKEND_NAMES = ['wasm', 'cpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * Makes `name` the active tfjs backend, ready to train: gradients registered and, for
 * wasm, the convolution-gradient kernels tfjs-backend-wasm lacks. Backends are imported
 * only when asked for. Safe to call again to switch backends.
 *
 * @example
 * await initBackend('wasm');
 */
export async function initBackend(name: BackendName): Promise<void> {
  await registerTfjsGradients();
  switch (name) {
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      await activate('wasm');
      registerWasmTrainingKernels();
      return;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      await activate('cpu');
      return;
    case 'tensorflow':
      await loadNativeTensorflowBackend();
      await activate('tensorflow');
      return;
  }
}

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}
