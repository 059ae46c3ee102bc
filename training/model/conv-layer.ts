import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_EPSILON, type ConvNode } from '../archs/graph';
import { convParts, type ConvPart } from '../archs/index';
import { quantizeActivation, type ActivationRange } from './quantization/int8-arithmetic';
import { fakeQuantizeBias, fakeQuantizeKernel } from './quantization/fake-quant';

/** PyTorch's BatchNorm2d default momentum, which the paper's batch-norm baseline used. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** Looks up a model variable by its graph.ts name. */
export type VariableLookup = (name: string) => tf.Variable;

/**
 * The kernel a conv node applies. Weight norm is a reparameterisation (paper eq. 6):
 * `w[..., o] = g[o] * v[..., o] / ||v[..., o]||`, computed from the trained `v` and `g`
 * inside the forward pass so gradients flow to both.
 */
export function effectiveKernel(node: ConvNode, variable: VariableLookup): tf.Tensor4D {
  return effectiveConv(node, variable).kernel;
}

/**
 * The kernel and bias a conv node applies: its own, or those its collapsible linear block
 * (training/onnx/reparam-collapse.ts) collapses into, `E P` and `P^T b1 + b2` (plus the identity), computed from
 * the block's weights in every forward pass. The block is linear, so this is exactly the block's
 * function of its weights, and its gradients are the block's; but the activations go through one
 * conv, not a wide kxk conv and a 1x1 conv, so a step costs about what a plain network's does
 * (SESR's collapsed training). `collapseLinearBlock` is the same computation, for export.
 */
export function effectiveConv(node: ConvNode, variable: VariableLookup): { kernel: tf.Tensor4D; bias: tf.Tensor1D } {
  const [first, second] = convParts(node).map((part) => ({ kernel: partKernel(part, variable), bias: variable(`${part.prefix}/bias`) as tf.Tensor1D }));
  if (node.linearBlock === undefined) return first!;
  const { kernelSize: k, inChannels, outChannels } = node;
  const { hidden, identity } = node.linearBlock;
  const projection = tf.reshape(second!.kernel, [hidden, outChannels]) as tf.Tensor2D;
  const expansion = tf.reshape(first!.kernel, [k * k * inChannels, hidden]) as tf.Tensor2D;
  let kernel = tf.reshape(tf.matMul(expansion, projection), [k, k, inChannels, outChannels]) as tf.Tensor4D;
  if (identity) kernel = tf.add(kernel, identityKernel(k, inChannels));
  const hiddenBias = tf.reshape(first!.bias, [1, hidden]) as tf.Tensor2D;
  const bias = tf.add(tf.reshape(tf.matMul(hiddenBias, projection), [outChannels]), second!.bias) as tf.Tensor1D;
  return { kernel, bias };
}

function partKernel(part: ConvPart, variable: VariableLookup): tf.Tensor4D {
  if (part.normalization !== 'weight') return variable(`${part.prefix}/kernel`) as tf.Tensor4D;
  const v = variable(`${part.prefix}/v`) as tf.Tensor4D;
  const norms = tf.sqrt(tf.sum(tf.square(v), [0, 1, 2]));
  return tf.mul(v, tf.div(variable(`${part.prefix}/g`), norms));
}

/** The kxk HWIO kernel of the identity map on `channels` channels: 1 at the centre tap of i -> i. */
function identityKernel(k: number, channels: number): tf.Tensor4D {
  const data = new Float32Array(k * k * channels * channels);
  const centre = Math.floor(k / 2) * k + Math.floor(k / 2);
  for (let c = 0; c < channels; c++) data[(centre * channels + c) * channels + c] = 1;
  return tf.tensor4d(data, [k, k, channels, channels]);
}

/**
 * A stride-1 'same' conv with bias, followed by batch norm when the node asks for it.
 * In training, batch norm normalises with the batch statistics and updates the moving
 * averages (unbiased variance, as PyTorch does); at inference it uses the moving ones.
 *
 * With `inputRange` (the conv runs in int8, its input already rounded to that range), the
 * kernel is the exported one: weight norm folded, then rounded to int8 per output channel,
 * and the bias rounded to int32 at input scale times weight scale, as QLinearConv sees them.
 *
 * Without `inputNeedsGradient` (in training, the head and skip convs, which read the image),
 * the bias is added after an unfused conv: tfjs's fused conv computes its input gradient
 * whether or not anything needs it, and for those two convs that was about 1 % of a
 * benchmark step (docs/training-speed.md).
 */
export function convLayer(
  x: tf.Tensor4D,
  node: ConvNode,
  variable: VariableLookup,
  training: boolean,
  { inputRange, inputNeedsGradient = true }: { readonly inputRange?: ActivationRange | undefined; readonly inputNeedsGradient?: boolean } = {},
): tf.Tensor4D {
  let { kernel: filter, bias } = effectiveConv(node, variable);
  if (inputRange !== undefined) {
    // The exporter folds batch norm's moving statistics before rounding; training normalises with batch ones.
    if (node.normalization === 'batch') throw new Error(`conv ${node.name}: quantization-aware training does not support batch norm`);
    const quantized = fakeQuantizeKernel(filter);
    filter = quantized.kernel;
    bias = fakeQuantizeBias(bias, quantizeActivation(inputRange).scale, quantized.scales);
  }
  const y = inputNeedsGradient ? tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias }) : tf.add<tf.Tensor4D>(tf.conv2d(x, filter, 1, 'same'), bias);
  return node.normalization === 'batch' ? batchNorm(y, node.name, variable, training) : y;
}

function batchNorm(y: tf.Tensor4D, name: string, variable: VariableLookup, training: boolean): tf.Tensor4D {
  const movingMean = variable(`${name}/bn/movingMean`);
  const movingVariance = variable(`${name}/bn/movingVariance`);
  let mean: tf.Tensor = movingMean;
  let variance: tf.Tensor = movingVariance;
  if (training) {
    ({ mean, variance } = tf.moments(y, [0, 1, 2]));
    const count = y.size / y.shape[3];
    const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
    movingMean.assign(tf.add(tf.mul(movingMean, 1 - BATCH_NORM_MOMENTUM), tf.mul(mean, BATCH_NORM_MOMENTUM)));
    movingVariance.assign(tf.add(tf.mul(movingVariance, 1 - BATCH_NORM_MOMENTUM), tf.mul(unbiased, BATCH_NORM_MOMENTUM)));
  }
  const scale = tf.mul(variable(`${name}/bn/gamma`), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
  return tf.add(tf.mul(tf.sub(y, mean), scale), variable(`${name}/bn/beta`));
}
