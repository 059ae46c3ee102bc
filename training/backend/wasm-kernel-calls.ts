import { getKernel, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Runs another wasm kernel from inside a kernel, the way tfjs-backend-wasm's own kernels
 * compose (e.g. its BatchMatMul calls Reshape): straight through the registry, so the
 * call is neither taped nor tracked by the engine and the caller owns the result.
 */
export function callWasmKernel(backend: BackendWasm, kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel '${kernelName}' is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned several outputs`);
  return out;
}

/** Frees an intermediate returned by `callWasmKernel`. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Transposes and frees the input, for chains of layout changes. */
export function transposeOwned(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const out = callWasmKernel(backend, 'Transpose', { x }, { perm });
  release(backend, x);
  return out;
}
