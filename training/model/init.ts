import type { ArchGraph, ConvNode } from '../archs/graph';
import { convParts, type ConvPart } from '../archs/index';
import type { Rng } from './rng';
import type { NamedWeights } from './weights';

/**
 * Initial weights for every variable of `graph`, as PyTorch initialises `nn.Conv2d`
 * (kaiming-uniform with a = sqrt(5) for the kernel, which works out to
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias) so training starts
 * where the paper's official code starts. Weight norm starts at g = ||v|| per output
 * channel, as `torch.nn.utils.weight_norm` does, so the effective kernel equals v.
 * Batch norm starts at the identity: gamma 1, beta 0, moving mean 0, moving variance 1.
 * Each conv of a collapsible linear block (training/onnx/reparam-collapse.ts) is initialised the same way.
 */
export function initialWeights(graph: ArchGraph, rng: Rng): NamedWeights {
  const weights: NamedWeights = new Map();
  for (const node of graph.nodes) {
    if (node.op === 'conv') initialiseConv(node, rng, weights);
  }
  return weights;
}

function initialiseConv(node: ConvNode, rng: Rng, weights: NamedWeights): void {
  const { name, outChannels } = node;
  // A collapsible linear block's convs are initialised each as a conv of its own.
  for (const { prefix, shape: kernelShape, normalization } of convParts(node)) {
    const [k, , inChannels, partOut] = kernelShape;
    const bound = 1 / Math.sqrt(inChannels * k * k);
    const kernel = uniform(
      kernelShape.reduce((a, b) => a * b, 1),
      bound,
      rng,
    );
    setConvPart(weights, { prefix, shape: kernelShape, normalization }, kernel, uniform(partOut, bound, rng));
  }
  if (node.normalization === 'batch') {
    weights.set(`${name}/bn/gamma`, { shape: [outChannels], data: new Float32Array(outChannels).fill(1) });
    weights.set(`${name}/bn/beta`, { shape: [outChannels], data: new Float32Array(outChannels) });
    weights.set(`${name}/bn/movingMean`, { shape: [outChannels], data: new Float32Array(outChannels) });
    weights.set(`${name}/bn/movingVariance`, { shape: [outChannels], data: new Float32Array(outChannels).fill(1) });
  }
}

function uniform(length: number, bound: number, rng: Rng): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = (2 * rng.next() - 1) * bound;
  return data;
}

/**
 * Stores the kernel (HWIO) and bias a conv part applies as the part holds them: under weight norm
 * as `v = kernel` and `g = ||kernel||` per output channel (so `g v / ||v||` is the kernel), else as
 * `kernel`.
 *
 * @example
 * setConvPart(weights, convParts(node)[0]!, kernel, bias);
 */
export function setConvPart(weights: NamedWeights, part: ConvPart, kernel: Float32Array, bias: Float32Array): void {
  const { prefix, shape, normalization } = part;
  const out = shape[3];
  if (normalization === 'weight') {
    weights.set(`${prefix}/v`, { shape: [...shape], data: kernel });
    weights.set(`${prefix}/g`, { shape: [out], data: outputChannelNorms(kernel, out) });
  } else {
    weights.set(`${prefix}/kernel`, { shape: [...shape], data: kernel });
  }
  weights.set(`${prefix}/bias`, { shape: [out], data: bias });
}

/** L2 norm of each output channel of an HWIO kernel (output channel is the fastest axis). */
function outputChannelNorms(hwio: Float32Array, outChannels: number): Float32Array {
  const sums = new Float64Array(outChannels);
  hwio.forEach((value, i) => {
    sums[i % outChannels] = sums[i % outChannels]! + value * value;
  });
  return Float32Array.from(sums, Math.sqrt);
}
