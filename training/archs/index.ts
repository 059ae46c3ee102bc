import type { ArchConfig } from './config';
import { buildEdsr } from './edsr';
import type { ArchGraph, ConvNode, Normalization } from './graph';
import { buildWdsr } from './wdsr';

export type { ArchConfig } from './config';
export type { ArchGraph, ConvNode } from './graph';
export { withoutReparam } from './wdsr';

/** Builds the graph of any supported architecture from its config. */
export function buildArch(config: ArchConfig): ArchGraph {
  switch (config.arch) {
    case 'wdsr_a':
    case 'wdsr_b':
      return buildWdsr(config);
    case 'edsr':
      return buildEdsr(config);
  }
}

/**
 * One plain conv whose weights a conv node stores: the node itself, or each conv of its
 * collapsible linear block. Its kernel (HWIO `shape`) is `${prefix}/v` and `${prefix}/g` under
 * weight norm, else `${prefix}/kernel`; its bias `${prefix}/bias` ([out]).
 */
export interface ConvPart {
  readonly prefix: string;
  /** HWIO. */
  readonly shape: readonly [number, number, number, number];
  /** 'weight' or 'none': a batch norm belongs to the node, after the whole block. */
  readonly normalization: Exclude<Normalization, 'batch'>;
}

/** The plain convs holding a conv node's kernels and biases, in the order the forward pass applies them. */
export function convParts(node: ConvNode): ConvPart[] {
  const { name, kernelSize: k, inChannels, outChannels } = node;
  const normalization = node.normalization === 'weight' ? 'weight' : 'none';
  if (node.linearBlock === undefined) return [{ prefix: name, shape: [k, k, inChannels, outChannels], normalization }];
  const { hidden } = node.linearBlock;
  return [
    { prefix: `${name}/linear0`, shape: [k, k, inChannels, hidden], normalization },
    { prefix: `${name}/linear1`, shape: [1, 1, hidden, outChannels], normalization },
  ];
}

/** Shape of every trainable variable of a conv node, named as graph.ts documents. */
export function convVariableShapes(node: ConvNode): Map<string, number[]> {
  const { name, outChannels } = node;
  const shapes = new Map<string, number[]>();
  for (const part of convParts(node)) {
    if (part.normalization === 'weight') {
      shapes.set(`${part.prefix}/v`, [...part.shape]);
      shapes.set(`${part.prefix}/g`, [part.shape[3]]);
    } else {
      shapes.set(`${part.prefix}/kernel`, [...part.shape]);
    }
    shapes.set(`${part.prefix}/bias`, [part.shape[3]]);
  }
  if (node.normalization === 'batch') {
    shapes.set(`${name}/bn/gamma`, [outChannels]);
    shapes.set(`${name}/bn/beta`, [outChannels]);
  }
  return shapes;
}

/** Trainable parameters, counted as the official implementation does (weight-norm g included). */
export function countParameters(graph: ArchGraph): number {
  let total = 0;
  for (const node of graph.nodes) {
    if (node.op !== 'conv') continue;
    for (const shape of convVariableShapes(node).values()) total += shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Multiply-adds of one inference per LR input pixel, counted on the convs as the graph runs
 * them (a conv after a pixel shuffle of factor r runs on r^2 pixels per LR pixel); a conv
 * trained as a linear block counts as the one conv it collapses into, as exported. The cost
 * rule for replacing a served model: the new one's must not exceed it.
 */
export function macsPerLrPixel(graph: ArchGraph): number {
  const upscale = new Map<string, number>([[graph.input, 1]]);
  let macs = 0;
  for (const node of graph.nodes) {
    const factor = upscale.get(node.op === 'add' ? node.inputs[0] : node.input)!;
    upscale.set(node.output, node.op === 'pixelShuffle' ? factor * node.blockSize : factor);
    if (node.op === 'conv') macs += factor * factor * node.kernelSize ** 2 * node.inChannels * node.outChannels;
  }
  return macs;
}

/**
 * How many LR pixels of context one output pixel depends on, in each direction: the
 * overlap a tile needs for tiled inference to equal whole-image inference exactly.
 */
export function receptiveFieldRadius(graph: ArchGraph): number {
  const radius = new Map<string, number>([[graph.input, 0]]);
  const upscale = new Map<string, number>([[graph.input, 1]]);
  for (const node of graph.nodes) {
    switch (node.op) {
      case 'conv': {
        const factor = upscale.get(node.input)!;
        // A conv after a pixel shuffle reaches `k/2` HR pixels, i.e. ceil((k/2) / factor) LR pixels.
        radius.set(node.output, radius.get(node.input)! + Math.ceil(Math.floor(node.kernelSize / 2) / factor));
        upscale.set(node.output, factor);
        break;
      }
      case 'add':
        radius.set(node.output, Math.max(radius.get(node.inputs[0])!, radius.get(node.inputs[1])!));
        upscale.set(node.output, upscale.get(node.inputs[0])!);
        break;
      case 'pixelShuffle':
        radius.set(node.output, radius.get(node.input)!);
        upscale.set(node.output, upscale.get(node.input)! * node.blockSize);
        break;
      default:
        radius.set(node.output, radius.get(node.input)!);
        upscale.set(node.output, upscale.get(node.input)!);
    }
  }
  return radius.get(graph.output)!;
}
