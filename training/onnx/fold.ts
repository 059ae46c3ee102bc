import { BATCH_NORM_EPSILON, type ConvNode } from '../archs/graph';
import type { NamedWeights } from '../model/weights';

export interface FoldedConv {
  /** OIHW, ready for an ONNX Conv. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly dims: [number, number, number, number];
}

/**
 * The plain conv a trained conv node computes at inference: weight norm
 * (w = g v / ||v||, per output channel) and batch norm (moving statistics) folded in,
 * transposed from tfjs HWIO to ONNX OIHW.
 */
export function foldConv(node: ConvNode, weights: NamedWeights): FoldedConv {
  if (node.linearBlock !== undefined) {
    throw new Error(
      `conv ${node.name} is a collapsible linear block: collapse the network first (collapseReparam in training/onnx/reparam-collapse.ts; exportModel does)`,
    );
  }
  const k = node.kernelSize;
  const inC = node.inChannels;
  const outC = node.outChannels;
  const hwio = node.normalization === 'weight' ? get(weights, `${node.name}/v`) : get(weights, `${node.name}/kernel`);
  const bias = Float32Array.from(get(weights, `${node.name}/bias`));
  const outScale = new Float64Array(outC).fill(1);

  if (node.normalization === 'weight') {
    const g = get(weights, `${node.name}/g`);
    const sumSquares = new Float64Array(outC);
    for (let i = 0; i < hwio.length; i++) sumSquares[i % outC] = sumSquares[i % outC]! + hwio[i]! * hwio[i]!;
    for (let o = 0; o < outC; o++) outScale[o] = g[o]! / Math.sqrt(sumSquares[o]!);
  }
  if (node.normalization === 'batch') {
    const gamma = get(weights, `${node.name}/bn/gamma`);
    const beta = get(weights, `${node.name}/bn/beta`);
    const mean = get(weights, `${node.name}/bn/movingMean`);
    const variance = get(weights, `${node.name}/bn/movingVariance`);
    for (let o = 0; o < outC; o++) {
      const factor = gamma[o]! / Math.sqrt(variance[o]! + BATCH_NORM_EPSILON);
      outScale[o] = factor;
      bias[o] = (bias[o]! - mean[o]!) * factor + beta[o]!;
    }
  }

  const weight = new Float32Array(outC * inC * k * k);
  for (let y = 0; y < k; y++) {
    for (let x = 0; x < k; x++) {
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < outC; o++) {
          const source = ((y * k + x) * inC + i) * outC + o;
          weight[((o * inC + i) * k + y) * k + x] = hwio[source]! * outScale[o]!;
        }
      }
    }
  }
  return { weight, bias, dims: [outC, inC, k, k] };
}

function get(weights: NamedWeights, name: string): Float32Array {
  const entry = weights.get(name);
  if (!entry) throw new Error(`checkpoint has no variable ${name}`);
  return entry.data;
}
