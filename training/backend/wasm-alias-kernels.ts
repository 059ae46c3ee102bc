import { Cast, Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * `Identity`, and `Cast` to the dtype a tensor already has, as aliases of their input
 * (one more reference to the same buffer) instead of copies. tfjs tensors are immutable
 * (even `Variable.assign` swaps buffers rather than writing into one), which is why
 * tfjs-backend-cpu implements them this way; tfjs-backend-wasm copies. Training hits them
 * constantly: the gradient tape clones every tensor it saves, and several gradients cast
 * float32 to float32, so the copies cost hundreds of MB of memory traffic per step.
 */
export const identityAliasConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => alias(backend as BackendWasm, inputs.x as TensorInfo),
};

export function castAliasConfig(stockCast: KernelFunc): KernelConfig {
  return {
    kernelName: Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      return (args.attrs as { dtype: string }).dtype === x.dtype && x.dtype !== 'string' ? alias(args.backend as BackendWasm, x) : stockCast(args);
    },
  };
}

function alias(backend: BackendWasm, x: TensorInfo): TensorInfo {
  if (x.dtype === 'string') throw new Error('wasm Identity: string tensors are not supported');
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
