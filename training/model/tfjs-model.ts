import * as tf from '@tensorflow/tfjs-core';
import type { ArchGraph, GraphNode } from '../archs/graph';
import { Rng } from './rng';
import type { NamedWeights } from './weights';
import { fakeQuantizeActivation } from './quantization/fake-quant';
import { outputRange, quantizedConvInput, rangeWeights, splitRanges, type QuantizationPlan } from './quantization/plan';
import { convLayer } from './conv-layer';
import { reluLayer } from './relu-layer';
import { initialWeights } from './init';
import { pixelShuffle } from './pixel-shuffle';
import { modelVariableSpecs, type VariableSpec } from './variables';

/**
 * An architecture graph (training/archs) executed with tfjs ops, owning its variables.
 * The variable names and layouts are graph.ts's, so `namedWeights()` is exactly what the
 * checkpoint stores and the ONNX exporter reads.
 *
 * With a quantization plan the forward pass is quantization-aware: it rounds exactly where
 * and as the exported int8 model does (./quantization/), so training fits the served network.
 *
 * @example
 * const model = TfjsModel.create(buildArch(arch), 1);
 * const sr = tf.tidy(() => model.forward(lr, false));
 */
export class TfjsModel {
  /** Trainable variables in graph order (batch-norm moving statistics excluded). */
  readonly trainableVariables: tf.Variable[];
  /** The graph.ts name of each trainable variable, index-aligned with `trainableVariables`. */
  readonly trainableNames: string[];
  /** For each node index, the intermediate values no later node reads. */
  private readonly expiringAfter: string[][];
  /** The values computed from some weight, whose gradients backprop needs. */
  private readonly weightDependent: ReadonlySet<string>;

  private constructor(
    readonly graph: ArchGraph,
    private readonly specs: readonly VariableSpec[],
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    /** Where and how the forward pass rounds as the int8 export does; undefined: float. */
    readonly plan: QuantizationPlan | undefined,
  ) {
    const trainable = specs.filter((spec) => spec.trainable);
    this.trainableNames = trainable.map((spec) => spec.name);
    this.trainableVariables = trainable.map((spec) => this.variable(spec.name));
    this.expiringAfter = lastReaders(graph);
    this.weightDependent = weightDependentValues(graph);
  }

  /** A freshly initialised model (PyTorch's default conv init, see init.ts), deterministic in `seed`. */
  static create(graph: ArchGraph, seed: number): TfjsModel {
    return TfjsModel.fromWeights(graph, initialWeights(graph, new Rng(seed)));
  }

  /**
   * A model holding exactly `weights`; every variable of the graph must be present with its shape, and nothing else.
   * With `quantization`, the weights also carry the activation ranges of its plan (see `rangeWeights`), and the
   * model is quantization-aware.
   */
  static fromWeights(graph: ArchGraph, allWeights: NamedWeights, quantization?: { readonly floatConvs: readonly string[] }): TfjsModel {
    const { variables: weights, plan } =
      quantization === undefined ? { variables: allWeights, plan: undefined } : splitRanges(graph, allWeights, quantization.floatConvs);
    const specs = modelVariableSpecs(graph);
    const expected = new Set(specs.map((spec) => spec.name));
    const unexpected = [...weights.keys()].filter((name) => !expected.has(name));
    if (unexpected.length > 0) throw new Error(`weights hold variables the graph does not have: ${unexpected.join(', ')}`);
    const variables = new Map<string, tf.Variable>();
    for (const spec of specs) {
      const entry = weights.get(spec.name);
      if (entry === undefined) throw new Error(`weights lack variable ${spec.name}`);
      if (!sameShape(entry.shape, spec.shape)) {
        throw new Error(`variable ${spec.name}: expected shape [${spec.shape.join(', ')}], got [${entry.shape.join(', ')}]`);
      }
      // Unnamed: tfjs names must be unique per process, and several models may coexist.
      const initial = tf.tensor(entry.data, [...spec.shape], 'float32');
      variables.set(spec.name, tf.variable(initial, spec.trainable));
      initial.dispose();
    }
    return new TfjsModel(graph, specs, variables, plan);
  }

  /**
   * Runs the graph on NHWC RGB in [0, 1]. `training` switches batch norm to batch
   * statistics (and updates its moving averages); the output is not clamped.
   * Intermediates are left to the caller's `tf.tidy`.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const values = new Map<string, tf.Tensor4D>([[this.graph.input, x]]);
    // The rounded value of each tensor the plan quantizes: what int8 consumers read.
    const rounded = new Map<string, tf.Tensor4D>();
    const read: Reader = (name, unrounded = false) => {
      const value = (unrounded ? undefined : rounded.get(name)) ?? values.get(name);
      if (value === undefined) throw new Error(`graph reads ${name} before it is written`);
      return value;
    };
    this.graph.nodes.forEach((node, index) => {
      const output = this.apply(node, read, training);
      values.set(node.output, output);
      const range = outputRange(this.plan, node);
      if (range !== undefined) rounded.set(node.output, fakeQuantizeActivation(output, range));
      for (const name of this.expiringAfter[index]!) {
        for (const map of [values, rounded]) {
          const value = map.get(name);
          map.delete(name);
          // Freed as soon as nothing downstream reads it, so whole-image inference peaks at a
          // few activations rather than all of them. Safe under a gradient tape: the tape keeps
          // its own references to what backprop needs.
          if (value !== undefined && ![...values.values(), ...rounded.values()].includes(value)) value.dispose();
        }
      }
    });
    return read(this.graph.output);
  }

  private apply(node: GraphNode, read: Reader, training: boolean): tf.Tensor4D {
    switch (node.op) {
      case 'conv': {
        // An int8 conv reads the rounded input; a float one the value before rounding, as the export does.
        const inputRange = quantizedConvInput(this.plan, node);
        const input = read(node.input, inputRange === undefined);
        // In training, a conv reading the image (head, skip) needs no input gradient.
        const inputNeedsGradient = !training || this.weightDependent.has(node.input);
        return convLayer(input, node, (name) => this.variable(name), training, { inputRange, inputNeedsGradient });
      }
      case 'relu':
        return reluLayer(read(node.input));
      case 'add':
        return tf.add(read(node.inputs[0]), read(node.inputs[1]));
      case 'affine': {
        const scaled = node.scale === 1 ? read(node.input) : tf.mul<tf.Tensor4D>(read(node.input), node.scale);
        if (node.offset.every((value) => value === 0)) return scaled;
        return tf.add<tf.Tensor4D>(scaled, node.offset.length === 1 ? tf.scalar(node.offset[0]!) : tf.tensor1d([...node.offset]));
      }
      case 'pixelShuffle':
        return pixelShuffle(read(node.input), node.blockSize);
    }
  }

  /**
   * A copy of every variable (moving statistics included), keyed by graph.ts name, in graph order,
   * then the plan's ranges (what a checkpoint stores and `fromWeights` reads back).
   */
  namedWeights(): NamedWeights {
    const weights: NamedWeights = new Map();
    for (const spec of this.specs) {
      weights.set(spec.name, { shape: [...spec.shape], data: Float32Array.from(this.variable(spec.name).dataSync()) });
    }
    return this.plan === undefined ? weights : new Map([...weights, ...rangeWeights(this.plan)]);
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
  }

  private variable(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`model has no variable ${name}`);
    return variable;
  }
}

/** A tensor's value in the forward pass: rounded where the plan quantizes it, unless asked for the value before rounding. */
type Reader = (name: string, unrounded?: boolean) => tf.Tensor4D;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

function nodeInputs(node: GraphNode): readonly string[] {
  return node.op === 'add' ? node.inputs : [node.input];
}

/** Outputs of the convs and of every node reading one, directly or not. */
function weightDependentValues(graph: ArchGraph): Set<string> {
  const dependent = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === 'conv' || nodeInputs(node).some((name) => dependent.has(name))) dependent.add(node.output);
  }
  return dependent;
}

/** Groups every intermediate value (not the graph's input or output) under the index of the last node that reads it. */
function lastReaders(graph: ArchGraph): string[][] {
  const lastRead = new Map<string, number>();
  graph.nodes.forEach((node, index) => {
    for (const name of nodeInputs(node)) lastRead.set(name, index);
  });
  const expiring = graph.nodes.map((): string[] => []);
  for (const [name, index] of lastRead) {
    if (name !== graph.input && name !== graph.output) expiring[index]!.push(name);
  }
  return expiring;
}
