import type { ArchGraph, ConvNode, GraphNode } from '../../archs/graph';
import type { ActivationRange } from './int8-arithmetic';
import type { NamedWeights } from '../weights';

/**
 * Where the int8 model rounds, and to which grid: the one description that the exporter's QDQ
 * graph (training/onnx/to-onnx.ts) and quantization-aware training's fake quantization
 * (training/model/tfjs-model.ts) both follow.
 */
export interface QuantizationPlan {
  /** Range of every activation to quantize, keyed by ArchGraph tensor name. */
  readonly ranges: ReadonlyMap<string, ActivationRange>;
  /** Conv node names kept in float (sensitive layers); they read their input unrounded. */
  readonly floatConvs: ReadonlySet<string>;
}

/**
 * The tensors a QDQ model quantizes: inputs of quantized convs (a ReLU output is one,
 * so its zero point does the clipping), outputs of quantized convs, and residual sums of
 * two quantized tensors (QLinearAdd). Pixel-shuffled tensors and the final sum stay float.
 */
export function quantizedTensors(graph: ArchGraph, floatConvs: ReadonlySet<string>): Set<string> {
  const tensors = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'conv' && !floatConvs.has(node.name)) tensors.add(node.input);
  }
  for (const node of graph.nodes) {
    if (node.op === 'conv' && !floatConvs.has(node.name)) {
      // QLinearConv needs its output quantized; a ReLU in between is dropped by onnxruntime
      // (the uint8 zero point clips), and pixel-shuffled outputs stay float.
      const consumers = graph.nodes.filter((n) => (n.op === 'add' ? n.inputs.includes(node.output) : n.input === node.output));
      if (consumers.every((n) => n.op !== 'pixelShuffle' && n.op !== 'relu')) tensors.add(node.output);
    }
    if (node.op === 'add' && node.inputs.every((input) => tensors.has(input))) tensors.add(node.output);
  }
  return tensors;
}

/** The range a node's output is rounded to, if any: data movement (pixel shuffle) is never requantized. */
export function outputRange(plan: QuantizationPlan | undefined, node: GraphNode): ActivationRange | undefined {
  return node.op === 'pixelShuffle' ? undefined : plan?.ranges.get(node.output);
}

/** The range a conv's input is rounded to when the conv runs in int8; undefined for a float conv. */
export function quantizedConvInput(plan: QuantizationPlan | undefined, node: ConvNode): ActivationRange | undefined {
  return plan === undefined || plan.floatConvs.has(node.name) ? undefined : plan.ranges.get(node.input);
}

/**
 * Ranges travel with the weights, as `quant/<tensor>` = [min, max], so a checkpoint of a
 * quantization-aware run holds exactly the grid it was trained on and the exporter reads it back.
 */
const RANGE_PREFIX = 'quant/';

/** The plan's ranges as weight entries. */
export function rangeWeights(plan: QuantizationPlan): NamedWeights {
  return new Map([...plan.ranges].map(([tensor, { min, max }]) => [`${RANGE_PREFIX}${tensor}`, { shape: [2], data: Float32Array.of(min, max) }]));
}

/** Whether weights carry ranges (a checkpoint of a quantization-aware run). */
export function hasRanges(weights: NamedWeights): boolean {
  return [...weights.keys()].some((name) => name.startsWith(RANGE_PREFIX));
}

/**
 * Splits weights into the network's variables and the plan their ranges describe; every
 * tensor the graph quantizes with these float convs must have a range, and no other.
 */
export function splitRanges(graph: ArchGraph, weights: NamedWeights, floatConvs: readonly string[]): { variables: NamedWeights; plan: QuantizationPlan } {
  const expected = quantizedTensors(graph, new Set(floatConvs));
  const variables: NamedWeights = new Map();
  const ranges = new Map<string, ActivationRange>();
  for (const [name, entry] of weights) {
    if (!name.startsWith(RANGE_PREFIX)) {
      variables.set(name, entry);
      continue;
    }
    const tensor = name.slice(RANGE_PREFIX.length);
    if (!expected.has(tensor) || entry.data.length !== 2) throw new Error(`weights hold a range ${name} the quantization plan has no place for`);
    ranges.set(tensor, { min: entry.data[0]!, max: entry.data[1]! });
  }
  const missing = [...expected].filter((tensor) => !ranges.has(tensor));
  if (missing.length > 0) throw new Error(`weights lack the ranges of ${missing.join(', ')}`);
  return { variables, plan: { ranges, floatConvs: new Set(floatConvs) } };
}
