/**
 * A network as data: the one description of an architecture that both the TensorFlow.js
 * forward pass (training) and the ONNX exporter (serving) interpret, so the two cannot
 * drift apart. Tensors are named by string; every node writes one new name.
 *
 * Layout conventions: activations are NHWC in tfjs; conv weights are stored HWIO as
 * `${node.name}/kernel` (normalization 'none' | 'batch') or as the weight-norm pair
 * `${node.name}/v` (HWIO) and `${node.name}/g` ([out]); the bias is `${node.name}/bias` ([out]).
 * Batch norm after a conv stores `${node.name}/bn/gamma|beta|movingMean|movingVariance` ([out]).
 * A conv trained as a collapsible linear block (`linearBlock`) has no kernel or bias of its own:
 * its two convs store theirs as above under `${node.name}/linear0` (kxk, in -> hidden) and
 * `${node.name}/linear1` (1x1, hidden -> out), weight-normalized when the node is, else plain
 * (batch norm, if any, still follows the whole block); see `convParts`.
 */
export type Normalization = 'weight' | 'batch' | 'none';

/** Batch-norm epsilon (PyTorch's BatchNorm2d default, which the paper's baseline used): training and export share it. */
export const BATCH_NORM_EPSILON = 1e-5;

export interface ConvNode {
  readonly op: 'conv';
  /** Unique; prefixes the node's variables. */
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square kernel, stride 1, 'same' zero padding of `floor(kernelSize / 2)`. */
  readonly kernelSize: number;
  /** 'batch' means a batch-norm layer follows the conv (its statistics live under `${name}/bn/`). */
  readonly normalization: Normalization;
  /** Present when the conv trains as a collapsible linear block (training/onnx/reparam-collapse.ts); absent for a plain conv. */
  readonly linearBlock?: LinearBlockSpec;
}

/**
 * `x -> conv1x1(convKxK(x))`, plus `x` itself when `identity`: a linear map, so exactly one kxk
 * conv (bias included: the 1x1 conv is per pixel, so the kxk conv's bias is uniform, padding too).
 */
export interface LinearBlockSpec {
  /** Channels between the kxk and the 1x1 conv. */
  readonly hidden: number;
  /** Adds the input to the output (needs inChannels === outChannels). */
  readonly identity: boolean;
}

interface ReluNode {
  readonly op: 'relu';
  readonly input: string;
  readonly output: string;
}

interface AddNode {
  readonly op: 'add';
  readonly inputs: readonly [string, string];
  readonly output: string;
}

/** `output = input * scale + offset[c]` per channel (residual scaling, mean shift, value range). */
interface AffineNode {
  readonly op: 'affine';
  readonly input: string;
  readonly output: string;
  readonly scale: number;
  readonly offset: readonly number[];
}

/** Depth-to-space in tfjs order (ONNX `DepthToSpace` mode `DCR`). */
interface PixelShuffleNode {
  readonly op: 'pixelShuffle';
  readonly input: string;
  readonly output: string;
  readonly blockSize: number;
}

export type GraphNode = ConvNode | ReluNode | AddNode | AffineNode | PixelShuffleNode;

export interface ArchGraph {
  /** Name of the network input: NHWC RGB in [0, 1]. */
  readonly input: string;
  /** Name of the network output: NHWC RGB in [0, 1] (unclamped during training). */
  readonly output: string;
  readonly scale: number;
  /** Topologically ordered. */
  readonly nodes: readonly GraphNode[];
}
