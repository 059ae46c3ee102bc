import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release } from './wasm-kernel-calls';

/**
 * `Sum` for wasm with a fast path for reducing an NHWC tensor over N, H and W: every
 * conv's bias gradient. The stock kernel first transposes the channels to the front
 * (54 ms CPU for a 16x48x48x192 gradient); an XNNPACK average pool over the whole
 * H x W plane, a sum over the batch and a rescale by H*W take 7 ms. Other reductions
 * use the stock kernel.
 */
export function sumConfig(stockSum: KernelFunc): KernelConfig {
  return {
    kernelName: Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const spatialPlane = x.shape.length === 4 && x.dtype === 'float32' && axes.join() === '0,1,2' && x.shape[1]! * x.shape[2]! > 1;
      if (!spatialPlane) return stockSum(args);
      return sumOverBatchAndPlane(args.backend as BackendWasm, x, keepDims);
    },
  };
}

function sumOverBatchAndPlane(backend: BackendWasm, x: TensorInfo, keepDims: boolean): TensorInfo {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const means = callWasmKernel(backend, 'AvgPool', { x }, { filterSize: [height, width], strides: 1, pad: 'valid' });
  const perImage = callWasmKernel(backend, 'Reshape', { x: means }, { shape: [batch, channels] });
  const meanSums = callWasmKernel(backend, 'Sum', { x: perImage }, { axis: [0], keepDims: false });
  release(backend, means, perImage);
  const planeSize = backend.makeOutput([], 'float32');
  (backend.typedArrayFromHeap(planeSize) as Float32Array)[0] = height * width;
  const sums = callWasmKernel(backend, 'Multiply', { a: meanSums, b: planeSize });
  release(backend, meanSums, planeSize);
  if (!keepDims) return sums;
  const kept = callWasmKernel(backend, 'Reshape', { x: sums }, { shape: [1, 1, 1, channels] });
  release(backend, sums);
  return kept;
}
