import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  brIf,
  f32x4GreaterThan,
  get,
  i32Add,
  i32Const,
  i32Sub,
  onBackendMemory,
  set,
  singleFunctionModule,
  tee,
  v128And,
  v128Load,
  v128Store,
  vector,
} from './wasm-module-bytes';
import { callWasmKernel, release } from './wasm-kernel-calls';

/** The kernel behind `reluLayer`'s gradient (training/model/relu-layer.ts): `dy` where `x > 0`, else 0. */
export const RELU_BACKPROP = 'ReluBackprop';

/** `out[i] = x[i] > 0 ? dy[i] : 0` for `count4` groups of 4 float32 values, at byte offsets of a wasm memory. */
type SimdReluBackprop = (dy: number, x: number, out: number, count4: number) => void;

/**
 * `ReluBackprop` on wasm: one SIMD pass (compare, mask) where tfjs's ReLU gradient,
 * `dy * step(x)`, runs Step and Multiply, two passes over 16x48x48x192 activations per
 * block and step. Without access to the backend's memory it runs those two kernels.
 */
export const reluBackpropConfig: KernelConfig = {
  kernelName: RELU_BACKPROP,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: kernelBackend }) => {
    const backend = kernelBackend as BackendWasm;
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const simd = onBackendMemory<SimdReluBackprop>(backend, 'reluBackprop', reluBackpropModule);
    if (simd === undefined) {
      const step = callWasmKernel(backend, 'Step', { x }, { alpha: 0 });
      const out = callWasmKernel(backend, 'Multiply', { a: dy, b: step });
      release(backend, step);
      return out;
    }
    const out = backend.makeOutput([...x.shape], 'float32');
    // Views are taken after allocating: a heap growth detaches earlier ones.
    const [dyValues, xValues, outValues] = [dy, x, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [Float32Array, Float32Array, Float32Array];
    const count4 = Math.floor(outValues.length / 4);
    if (count4 > 0) simd(dyValues.byteOffset, xValues.byteOffset, outValues.byteOffset, count4);
    for (let i = 4 * count4; i < outValues.length; i++) outValues[i] = xValues[i]! > 0 ? dyValues[i]! : 0;
    return out;
  },
};

function reluBackpropModule(): Uint8Array {
  const [DY, X, OUT, COUNT] = [0, 1, 2, 3] as const;
  const [add, sub, load, store] = [i32Add, i32Sub, v128Load(), v128Store()];
  const zeroVector = [0xfd, 0x0c, ...Array<number>(16).fill(0)]; // v128.const 0
  const advance = (pointer: number) => [...get(pointer), ...i32Const(16), ...add, ...set(pointer)];
  const code = [
    0x03,
    0x40, // loop over groups of 4
    ...get(OUT),
    ...get(DY),
    ...load,
    ...get(X),
    ...load,
    ...zeroVector,
    ...f32x4GreaterThan,
    ...v128And,
    ...store,
    ...advance(DY),
    ...advance(X),
    ...advance(OUT),
    ...get(COUNT),
    ...i32Const(1),
    ...sub,
    ...tee(COUNT),
    ...brIf(0), // to the loop while groups remain
    0x0b,
  ];
  return singleFunctionModule('reluBackprop', 4, vector([]), code); // no locals beyond the parameters
}
