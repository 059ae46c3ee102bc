import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel, release, transposeOwned } from './wasm-kernel-calls';

/**
 * `Conv2DBackpropInput` for wasm through XNNPACK. The stock wasm kernel is a scalar
 * C++ loop (~10x slower than the forward conv). For stride 1 the input gradient is
 * itself a forward convolution: the output gradient, padded by `k - 1 - pad`, convolved
 * with the kernel flipped in space and with in/out channels swapped. Other strides keep
 * the stock kernel (`fallback`), which this network never needs.
 */
export function conv2DBackpropInputConfig(fallback: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const backend = args.backend as BackendWasm;
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
      const info = backend_util.computeConv2DInfo(
        attrs.inputShape,
        filter.shape as [number, number, number, number],
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        backend_util.convertConv2DDataFormat(attrs.dataFormat),
      );
      const pads = transposedPadding(info);
      if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast' || pads === undefined) {
        return fallback(args);
      }
      return inputGradientAsConv(backend, dy, filter, pads);
    },
  };
}

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Padding of the gradient conv: `k - 1 - pad` per side; undefined when a side would be negative. */
function transposedPadding(info: backend_util.Conv2DInfo): ExplicitPadding | undefined {
  const { top, bottom, left, right } = info.padInfo;
  const sides = [info.filterHeight - 1 - top, info.filterHeight - 1 - bottom, info.filterWidth - 1 - left, info.filterWidth - 1 - right] as const;
  if (sides.some((side) => side < 0)) return undefined;
  return [
    [0, 0],
    [sides[0], sides[1]],
    [sides[2], sides[3]],
    [0, 0],
  ];
}

function inputGradientAsConv(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, pad: ExplicitPadding): TensorInfo {
  const [kh, kw] = filter.shape;
  // HWIO -> spatially flipped HWOI. A 1x1 kernel has nothing to flip.
  const flipped = kh === 1 && kw === 1 ? undefined : callWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped =
    flipped === undefined ? callWasmKernel(backend, 'Transpose', { x: filter }, { perm: [0, 1, 3, 2] }) : transposeOwned(backend, flipped, [0, 1, 3, 2]);
  const dx = callWasmKernel(
    backend,
    'Conv2D',
    { x: dy, filter: swapped },
    {
      strides: [1, 1],
      pad,
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  release(backend, swapped);
  return dx;
}
