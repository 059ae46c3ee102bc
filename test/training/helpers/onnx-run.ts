import * as ort from 'onnxruntime-node';

/**
 * An exported model (input `lr`, output `sr`) run by onnxruntime-node on one NCHW RGB image of
 * `height` x `width`: its output tensor. The session is released before this returns.
 *
 * @example
 * const sr = await runOnnx(bytes, syntheticImage(9, 13, 0), 9, 13); // sr.dims [1, 3, 18, 26] at x2
 */
export async function runOnnx(bytes: Uint8Array, nchw: Float32Array, height: number, width: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run({ lr: new ort.Tensor('float32', nchw, [1, 3, height, width]) })).sr!;
  } finally {
    await session.release();
  }
}
