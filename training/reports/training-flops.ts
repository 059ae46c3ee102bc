import type { ArchGraph } from '../archs/graph';

/**
 * Floating-point operations of one training iteration, counted on the convolutions
 * (everything else is a rounding error): 2 FLOP per multiply-add in the forward pass,
 * and twice that again backward (input gradient and filter gradient). Convs after a
 * pixel shuffle run at the upscaled size.
 */
export function trainingFlopsPerIteration(graph: ArchGraph, batchSize: number, lrPatchSize: number): number {
  const upscale = new Map<string, number>([[graph.input, 1]]);
  let forward = 0;
  for (const node of graph.nodes) {
    const input = node.op === 'add' ? node.inputs[0] : node.input;
    const factor = upscale.get(input)!;
    upscale.set(node.output, node.op === 'pixelShuffle' ? factor * node.blockSize : factor);
    if (node.op !== 'conv') continue;
    const pixels = batchSize * (lrPatchSize * factor) ** 2;
    forward += 2 * pixels * node.kernelSize ** 2 * node.inChannels * node.outChannels;
  }
  return 3 * forward;
}
