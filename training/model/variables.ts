import type { ArchGraph } from '../archs/graph';
import { convVariableShapes } from '../archs/index';

/** One named variable a model stores (trainable or not). */
export interface VariableSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** False for batch-norm moving statistics, which are updated by the forward pass, not by the optimizer. */
  readonly trainable: boolean;
}

/**
 * Every variable of a graph in graph order, named as graph.ts documents: the trainable
 * ones from `convVariableShapes`, plus `${conv}/bn/movingMean|movingVariance` after
 * each batch-normalised conv.
 */
export function modelVariableSpecs(graph: ArchGraph): VariableSpec[] {
  const specs: VariableSpec[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'conv') continue;
    for (const [name, shape] of convVariableShapes(node)) specs.push({ name, shape, trainable: true });
    if (node.normalization === 'batch') {
      specs.push({ name: `${node.name}/bn/movingMean`, shape: [node.outChannels], trainable: false });
      specs.push({ name: `${node.name}/bn/movingVariance`, shape: [node.outChannels], trainable: false });
    }
  }
  return specs;
}
