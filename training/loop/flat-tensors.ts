import * as tf from '@tensorflow/tfjs-core';

/**
 * Tensors concatenated into one float32 array, in order: how weights and gradients cross
 * between threads (one buffer to copy or transfer instead of one message per variable).
 */
export function flattenTensors(tensors: readonly tf.Tensor[]): Float32Array {
  const flat = new Float32Array(tensors.reduce((sum, tensor) => sum + tensor.size, 0));
  let offset = 0;
  for (const tensor of tensors) {
    flat.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  return flat;
}

/** The inverse of `flattenTensors`: tensors shaped like `like`, for the caller's `tf.tidy`. */
export function unflattenTensors(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  const total = like.reduce((sum, tensor) => sum + tensor.size, 0);
  if (flat.length !== total) throw new Error(`expected ${total} values for ${like.length} tensors, got ${flat.length}`);
  let offset = 0;
  return like.map((tensor) => {
    const part = tf.tensor(flat.subarray(offset, offset + tensor.size), tensor.shape, 'float32');
    offset += tensor.size;
    return part;
  });
}
