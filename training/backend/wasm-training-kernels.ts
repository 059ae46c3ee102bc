import { Conv2DBackpropInput, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './wasm-conv-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm-conv-backprop-input';

let registered = false;

/**
 * Installs the convolution-gradient kernels training needs on the wasm backend: a missing
 * `Conv2DBackpropFilter` and an XNNPACK-backed `Conv2DBackpropInput` replacing the stock
 * scalar loop (kept as the fallback for strides other than 1). Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const stockBackpropInput = getKernel(Conv2DBackpropInput, 'wasm');
  if (stockBackpropInput === undefined) throw new Error('the wasm backend must be registered before its training kernels');
  unregisterKernel(Conv2DBackpropInput, 'wasm');
  registerKernel(conv2DBackpropInputConfig(stockBackpropInput.kernelFunc));
  if (getKernel(conv2DBackpropFilterConfig.kernelName, 'wasm') === undefined) registerKernel(conv2DBackpropFilterConfig);
  registered = true;
}
