import * as tf from '@tensorflow/tfjs-core';

/**
 * Depth-to-space as reshape + transpose, because tfjs registers no gradient for
 * `depthToSpace`. Same element order as `tf.depthToSpace` (NHWC, ONNX mode DCR):
 * `out[n, h*r + i, w*r + j, c] = in[n, h, w, (i*r + j) * C + c]`.
 */
export function pixelShuffle(x: tf.Tensor4D, blockSize: number): tf.Tensor4D {
  const [n, h, w, depth] = x.shape;
  const channels = depth / (blockSize * blockSize);
  if (!Number.isInteger(channels)) throw new Error(`pixelShuffle: depth ${depth} is not a multiple of ${blockSize}^2`);
  const split = tf.reshape(x, [n, h, w, blockSize, blockSize, channels]);
  const interleaved = tf.transpose(split, [0, 1, 3, 2, 4, 5]);
  return tf.reshape(interleaved, [n, h * blockSize, w * blockSize, channels]);
}
