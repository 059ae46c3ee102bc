import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeMatrixOnHeap } from './heap-transpose';
import { callWasmKernel, release, transposeOwned } from './wasm-kernel-calls';
import { type SimdOuterProductSum, VECTOR_TILE, wasmSimdOuterProductSum } from './wasm-simd-filter-gradient';

/**
 * `Conv2DBackpropFilter` for wasm, which tfjs-backend-wasm does not implement at all.
 * A stride-1 conv with a multiple of 8 input or output channels (every conv of the WDSR
 * blocks) runs on this project's SIMD kernel (`simdFilterGradient`); the others reuse
 * XNNPACK-backed kernels:
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
    const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
    const simd = unitStride && (info.inChannels % VECTOR_TILE === 0 || info.outChannels % VECTOR_TILE === 0) ? wasmSimdOuterProductSum(backend) : undefined;
    if (simd !== undefined) return simdFilterGradient(backend, simd, x, dy, info);
    const pointwise = info.filterHeight === 1 && info.filterWidth === 1 && unitStride && top + bottom + left + right === 0;
    return pointwise ? pointwiseFilterGradient(backend, x, dy, info) : filterGradientAsConv(backend, x, dy, info);
  },
};

/**
 * `dW[a, b, i, o] = sum_{n, y, x} xpad[n, y + a, x + b, i] dy[n, y, x, o]` for a stride-1
 * conv, by the SIMD kernel of wasm-simd-filter-gradient.ts: per kernel tap and image, one
 * call sums the outer products of `x`'s and `dy`'s pixels, one image row at a time, straight
 * from their NHWC layout (`x` zero-padded first when the conv pads). The side whose channel
 * count is a multiple of 8 is the kernel's vector side; when that is `x`, the taps come out
 * as `[out, in]` and are transposed at the end. 2.3x to 2.6x faster per call than the
 * XNNPACK routes below at the shapes of a WDSR-B block (docs/training-speed.md).
 */
function simdFilterGradient(backend: BackendWasm, sum: SimdOuterProductSum, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { top, left } = info.padInfo;
  const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  // Rows and columns past the far edge that the taps read; 'valid' convs that never read the
  // last ones need none (negative values), as they are simply not addressed.
  const bottom = Math.max(filterHeight + outHeight - 1 - info.inHeight - top, 0);
  const right = Math.max(filterWidth + outWidth - 1 - info.inWidth - left, 0);
  const padded =
    top + bottom + left + right === 0
      ? x
      : callWasmKernel(
          backend,
          'PadV2',
          { x },
          {
            paddings: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
  const [paddedHeight, paddedWidth] = [padded.shape[1]!, padded.shape[2]!];
  const vectorIsOut = outChannels % VECTOR_TILE === 0;
  const taps = backend.makeOutput(
    vectorIsOut ? [filterHeight, filterWidth, inChannels, outChannels] : [filterHeight, filterWidth, outChannels, inChannels],
    'float32',
  );
  // Views are taken after allocating: a heap growth detaches earlier ones.
  const xAt = (backend.typedArrayFromHeap(padded) as Float32Array).byteOffset;
  const dyAt = (backend.typedArrayFromHeap(dy) as Float32Array).byteOffset;
  const tapValues = backend.typedArrayFromHeap(taps) as Float32Array;
  tapValues.fill(0);
  const [xRowBytes, dyRowBytes] = [paddedWidth * inChannels * 4, outWidth * outChannels * 4];
  for (let a = 0; a < filterHeight; a++) {
    for (let b = 0; b < filterWidth; b++) {
      const tapAt = tapValues.byteOffset + (a * filterWidth + b) * inChannels * outChannels * 4;
      for (let n = 0; n < batchSize; n++) {
        const xRun = xAt + ((n * paddedHeight + a) * paddedWidth + b) * inChannels * 4;
        const dyRun = dyAt + n * outHeight * dyRowBytes;
        if (vectorIsOut) sum(xRun, xRowBytes, dyRun, dyRowBytes, tapAt, outHeight, outWidth, inChannels, outChannels);
        else sum(dyRun, dyRowBytes, xRun, xRowBytes, tapAt, outHeight, outWidth, outChannels, inChannels);
      }
    }
  }
  if (padded !== x) release(backend, padded);
  return vectorIsOut ? taps : transposeOwned(backend, taps, [0, 1, 3, 2]);
}

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
  const [wide, narrow, wideChannels, narrowChannels] = inChannels >= outChannels ? [x, dy, inChannels, outChannels] : [dy, x, outChannels, inChannels];
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
    const cropped = callWasmKernel(
      backend,
      'Slice',
      { x: xT },
      {
        begin: [0, 0, 0, 0],
        size: [info.inChannels, info.inHeight + Math.min(bottom, 0), info.inWidth + Math.min(right, 0), info.batchSize],
      },
    );
    release(backend, xT);
    xT = cropped;
  }
  const dyKernel = callWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const gradientIHWO = callWasmKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyKernel },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, Math.max(bottom, 0)],
        [left, Math.max(right, 0)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  );
  release(backend, xT, dyKernel);
  return transposeOwned(backend, gradientIHWO, [1, 2, 0, 3]);
}
