import {
  Cast,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  registerKernel,
  Sum,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { castAliasConfig, identityAliasConfig } from './wasm-alias-kernels';
import { conv2DBackpropFilterConfig } from './wasm-conv-backprop-filter';
import { conv2DBackpropInputConfig } from './wasm-conv-backprop-input';
import { reluBackpropConfig } from './wasm-relu-backprop';
import { sumConfig } from './wasm-sum-kernel';

let registered = false;

/**
 * Installs what training needs on the wasm backend, in place of or next to the stock
 * kernels: a missing `Conv2DBackpropFilter`, an XNNPACK-backed `Conv2DBackpropInput`
 * (the stock scalar loop stays as the fallback for strides other than 1), copy-free
 * `Identity`/same-dtype `Cast`, a `Sum` that computes bias gradients without a
 * transpose, and the one-pass `ReluBackprop` that `reluLayer`'s gradient uses. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  replace(Conv2DBackpropInput, (stock) => conv2DBackpropInputConfig(stock));
  replace(Cast, (stock) => castAliasConfig(stock));
  replace(Identity, () => identityAliasConfig);
  replace(Sum, (stock) => sumConfig(stock));
  for (const added of [conv2DBackpropFilterConfig, reluBackpropConfig]) {
    if (getKernel(added.kernelName, 'wasm') === undefined) registerKernel(added);
  }
  registered = true;
}

function replace(kernelName: string, make: (stock: KernelFunc) => KernelConfig): void {
  const stock = getKernel(kernelName, 'wasm');
  if (stock === undefined) throw new Error(`the wasm backend must be registered before its training kernels (no ${kernelName})`);
  unregisterKernel(kernelName, 'wasm');
  registerKernel(make(stock.kernelFunc));
}
