import type { ArchConfig } from './config';
import { buildEdsr } from './edsr';
import type { ArchGraph, ConvNode } from './graph';
import { buildWdsr } from './wdsr';

export type { ArchConfig } from './config';
export type { ArchGraph, GraphNode, ConvNode } from './graph';

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

/** Shape of every trainable variable of a conv node, named as graph.ts documents. */
export function convVariableShapes(node: ConvNode): Map<string, number[]> {
  const { name, kernelSize: k, inChannels, outChannels } = node;
  const shapes = new Map<string, number[]>();
  if (node.normalization === 'weight') {
    shapes.set(`${name}/v`, [k, k, inChannels, outChannels]);
    shapes.set(`${name}/g`, [outChannels]);
  } else {
    shapes.set(`${name}/kernel`, [k, k, inChannels, outChannels]);
  }
  shapes.set(`${name}/bias`, [outChannels]);
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
