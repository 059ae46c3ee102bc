import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeMatrixOnHeap } from './heap-transpose';
import { callWasmKernel, release, transposeOwned } from './wasm-kernel-calls';

/**
 * `Conv2DBackpropFilter` for wasm, which tfjs-backend-wasm does not implement at all.
 * Both paths reuse XNNPACK-backed kernels:
 * - a 1x1, stride-1, unpadded conv's filter gradient is one matrix product,
 *   `x^T (in x pixels) * dy (pixels x out)`;
 * - any other conv's is a forward conv over `x` with batch and channels swapped
 *   (`[in, H, W, batch]`), using `dy` laid out as `[H', W', batch, out]` as the kernel,
 *   dilated by the forward stride. Its output, `[in, kh, kw, out]`, is the HWIO gradient
 *   up to a transpose.
 */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
    const { top, bottom, left, right } = info.padInfo;
    const pointwise = info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1
      && info.strideWidth === 1 && top + bottom + left + right === 0;
    return pointwise ? pointwiseFilterGradient(backend, x, dy, info) : filterGradientAsConv(backend, x, dy, info);
  },
};

/**
 * `dW[i, o] = sum_p x[p, i] dy[p, o]`. Only tfjs-wasm's BatchMatMul with batch 1 and no
 * transpose flags runs on XNNPACK, which packs its right operand afresh on every call,
 * slowly enough that packing a 36864 x 192 activation costs more than the product. So the
 * operand with more channels is transposed (on the heap, see heap-transpose.ts) into the
 * left operand, and the narrow one is packed: `x^T dy` when `in >= out`, else `(dy^T x)^T`.
 */
function pointwiseFilterGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const pixels = info.batchSize * info.inHeight * info.inWidth;
  const { inChannels, outChannels } = info;
  const [wide, narrow, wideChannels, narrowChannels] = inChannels >= outChannels
    ? [x, dy, inChannels, outChannels]
    : [dy, x, outChannels, inChannels];
  const wideT = transposeMatrixOnHeap(backend, wide, pixels, wideChannels);
  const a = callWasmKernel(backend, 'Reshape', { x: wideT }, { shape: [1, wideChannels, pixels] });
  const b = callWasmKernel(backend, 'Reshape', { x: narrow }, { shape: [1, pixels, narrowChannels] });
  const product = callWasmKernel(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  release(backend, wideT, a, b);
  const gradient = inChannels >= outChannels ? product : transposeMatrixOnHeap(backend, product, outChannels, inChannels);
  if (gradient !== product) release(backend, product);
  const hwio = callWasmKernel(backend, 'Reshape', { x: gradient }, { shape: [1, 1, inChannels, outChannels] });
  release(backend, gradient);
  return hwio;
}

/**
 * `dW[a, b, i, o] = sum_{n, y, x} xpad[n, s*y + a, s*x + b, i] dy[n, y, x, o]`: a conv over
 * `x` (batch <-> channels) whose kernel is `dy`, dilated by the forward stride `s`.
 */
function filterGradientAsConv(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { top, left } = info.padInfo;
  // The far-side padding that makes the output exactly kh x kw; negative when a 'valid'
  // forward conv never read the last rows/columns, which are then cropped instead.
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - left;
  let xT = callWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  if (bottom < 0 || right < 0) {
    const cropped = callWasmKernel(backend, 'Slice', { x: xT }, {
      begin: [0, 0, 0, 0],
      size: [info.inChannels, info.inHeight + Math.min(bottom, 0), info.inWidth + Math.min(right, 0), info.batchSize],
    });
    release(backend, xT);
    xT = cropped;
  }
  const dyKernel = callWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const gradientIHWO = callWasmKernel(backend, 'Conv2D', { x: xT, filter: dyKernel }, {
    strides: [1, 1],
    pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
  });
  release(backend, xT, dyKernel);
  return transposeOwned(backend, gradientIHWO, [1, 2, 0, 3]);
}
