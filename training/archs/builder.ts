import type { ArchGraph, GraphNode, LinearBlockSpec, Normalization } from './graph';

/**
 * Appends nodes with unique output names; the small vocabulary every architecture is
 * written in, so each arch file reads like the paper's figure.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private counter = 0;

  constructor(readonly normalization: Normalization) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}:${this.counter}`;
  }

  /**
   * A stride-1, 'same'-padded conv; `normalization` overrides the network default (heads and tails);
   * `linearBlock` makes it train as a collapsible linear block (see graph.ts).
   */
  conv(
    name: string,
    input: string,
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    normalization = this.normalization,
    linearBlock?: LinearBlockSpec,
  ): string {
    const output = this.fresh(name);
    this.nodes.push({
      op: 'conv',
      name,
      input,
      output,
      inChannels,
      outChannels,
      kernelSize,
      normalization,
      ...(linearBlock === undefined ? {} : { linearBlock }),
    });
    return output;
  }

  relu(input: string): string {
    const output = this.fresh('relu');
    this.nodes.push({ op: 'relu', input, output });
    return output;
  }

  add(a: string, b: string): string {
    const output = this.fresh('add');
    this.nodes.push({ op: 'add', inputs: [a, b], output });
    return output;
  }

  affine(input: string, scale: number, offset: readonly number[]): string {
    const output = this.fresh('affine');
    this.nodes.push({ op: 'affine', input, output, scale, offset });
    return output;
  }

  /** Residual scaling; omitted when it is the identity so exported graphs carry no no-op nodes. */
  scale(input: string, factor: number): string {
    return factor === 1 ? input : this.affine(input, factor, [0]);
  }

  pixelShuffle(input: string, blockSize: number): string {
    const output = this.fresh('pixel_shuffle');
    this.nodes.push({ op: 'pixelShuffle', input, output, blockSize });
    return output;
  }

  finish(input: string, output: string, scale: number): ArchGraph {
    return { input, output, scale, nodes: this.nodes };
  }
}
