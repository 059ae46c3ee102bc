import type { ArchGraph, ConvNode, GraphNode } from '../archs/graph';
import { foldConv } from './fold';
import { makeGraph, makeNode, makeTensor, makeValueInfo, type GraphProto, type NodeProto, type TensorProto } from './onnx-helpers';
import { outputRange, quantizedConvInput, type QuantizationPlan } from '../quant/plan';
import { quantizeActivation, quantizeBias, quantizeWeightsPerChannel } from './quantize';
import type { NamedWeights } from './weights';

/** Tensor names of the exported model: the contract recorded in model/manifest.json. */
export const INPUT_NAME = 'lr';
export const OUTPUT_NAME = 'sr';

/**
 * Weight-only int8: the weight of every conv but `floatConvs` stored as per-output-channel int8
 * behind a DequantizeLinear; activations, biases and arithmetic stay float.
 */
export interface Int8Weights {
  readonly int8Weights: true;
  readonly floatConvs: readonly string[];
}

/**
 * How the exported graph is quantized: a plan gives static int8 QDQ (per-channel symmetric
 * int8 weights, per-tensor uint8 activations and int32 biases, the form onnxruntime fuses into
 * QLinearConv / QLinearAdd), or {@link Int8Weights}.
 */
export type OnnxQuantization = { readonly plan: QuantizationPlan } | Int8Weights;

/**
 * Translates an architecture graph with trained weights into an ONNX graph (NCHW, input
 * and output RGB in [0, 1], dynamic spatial size, output clamped), in float unless quantized.
 */
export function archToOnnx(graph: ArchGraph, weights: NamedWeights, quantization?: OnnxQuantization): OnnxExport {
  const plan = quantization !== undefined && 'plan' in quantization ? quantization.plan : undefined;
  const int8WeightConvs = (name: string) => quantization !== undefined && 'int8Weights' in quantization && !quantization.floatConvs.includes(name);
  const emitter = new OnnxEmitter(plan, int8WeightConvs);
  emitter.rename(graph.input, INPUT_NAME);
  graph.nodes.forEach((node, index) => emitter.emit(node, index, weights));
  const clamped = emitter.add('Clip', [emitter.ref(graph.output), emitter.constant('clip_min', 0), emitter.constant('clip_max', 1)], OUTPUT_NAME);
  const dims = ['N', 3, 'H', 'W'];
  const outDims = ['N', 3, `H*${graph.scale}`, `W*${graph.scale}`];
  const onnx = makeGraph('wdsr_edge', emitter.nodes, [makeValueInfo(INPUT_NAME, dims)], [makeValueInfo(clamped, outDims)], emitter.initializers);
  return { graph: onnx, tensorNames: emitter.tensorNames };
}

export interface OnnxExport {
  readonly graph: GraphProto;
  /** ArchGraph tensor name -> the ONNX tensor holding its value before any quantization (for calibration). */
  readonly tensorNames: ReadonlyMap<string, string>;
}

class OnnxEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** ArchGraph tensor name -> ONNX tensor name holding its (dequantized) value. */
  private readonly names = new Map<string, string>();
  /** ArchGraph tensor name -> ONNX tensor name of its float value, before any Q/DQ pair. */
  readonly tensorNames = new Map<string, string>();

  constructor(
    private readonly plan: QuantizationPlan | undefined,
    /** Whether a float conv (one the plan does not quantize) stores its weight as int8. */
    private readonly int8WeightConvs: (conv: string) => boolean,
  ) {}

  rename(archName: string, onnxName: string): void {
    this.names.set(archName, onnxName);
  }

  ref(archName: string): string {
    const name = this.names.get(archName);
    if (name === undefined) throw new Error(`tensor ${archName} used before it is produced`);
    return name;
  }

  add(opType: string, inputs: string[], output: string, attributes: Record<string, number | string | number[]> = {}): string {
    this.nodes.push(makeNode(opType, inputs, [output], `${opType}_${this.nodes.length}`, attributes));
    return output;
  }

  constant(name: string, value: number, dims: number[] = []): string {
    this.initializers.push(makeTensor(name, dims, new Float32Array(dims.length ? dims.reduce((a, b) => a * b) : 1).fill(value)));
    return name;
  }

  emit(node: GraphNode, index: number, weights: NamedWeights): void {
    const id = `n${index}`;
    switch (node.op) {
      case 'conv':
        return this.emitConv(node, weights);
      case 'relu':
        return this.produce(node, this.add('Relu', [this.ref(node.input)], `${id}_relu`));
      case 'add':
        return this.produce(node, this.add('Add', node.inputs.map((i) => this.ref(i)), `${id}_add`));
      case 'pixelShuffle':
        return this.produce(node, this.add('DepthToSpace', [this.ref(node.input)], `${id}_d2s`, { blocksize: node.blockSize, mode: 'DCR' }));
      case 'affine': {
        const offsets = node.offset.length === 1 ? [node.offset[0]!] : [...node.offset];
        const offsetDims = offsets.length === 1 ? [] : [1, offsets.length, 1, 1];
        let value = this.ref(node.input);
        if (node.scale !== 1) value = this.add('Mul', [value, this.constant(`${id}_scale`, node.scale)], `${id}_mul`);
        if (offsets.some((o) => o !== 0)) {
          const name = `${id}_offset`;
          this.initializers.push(makeTensor(name, offsetDims, Float32Array.from(offsets)));
          value = this.add('Add', [value, name], `${id}_shift`);
        }
        return this.produce(node, value);
      }
    }
  }

  private emitConv(node: ConvNode, weights: NamedWeights): void {
    const folded = foldConv(node, weights);
    const pad = Math.floor(node.kernelSize / 2);
    const attributes = { kernel_shape: [node.kernelSize, node.kernelSize], pads: [pad, pad, pad, pad], strides: [1, 1] };
    const inputRange = quantizedConvInput(this.plan, node);
    if (!inputRange) {
      // A float conv reads the unquantized value where there is one: no rounding it does not need.
      const input = this.tensorNames.get(node.input) ?? this.ref(node.input);
      let weight = `${node.name}/W`;
      if (this.int8WeightConvs(node.name)) weight = this.int8Weight(node.name, folded.dims, quantizeWeightsPerChannel(folded.weight, node.outChannels));
      else this.initializers.push(makeTensor(weight, folded.dims, folded.weight));
      this.initializers.push(makeTensor(`${node.name}/B`, [node.outChannels], folded.bias));
      this.produce(node, this.add('Conv', [input, weight, `${node.name}/B`], `${node.name}/out`, attributes));
      return;
    }
    const input = this.ref(node.input);
    const weight = quantizeWeightsPerChannel(folded.weight, node.outChannels);
    const inputScale = quantizeActivation(inputRange).scale;
    const bias = quantizeBias(folded.bias, inputScale, weight.scales);
    const w = this.int8Weight(node.name, folded.dims, weight);
    this.initializers.push(
      makeTensor(`${node.name}/B_q`, [node.outChannels], bias.values),
      makeTensor(`${node.name}/B_scale`, [node.outChannels], bias.scales),
      makeTensor(`${node.name}/B_zero`, [node.outChannels], new Int32Array(node.outChannels)),
    );
    const b = this.add('DequantizeLinear', [`${node.name}/B_q`, `${node.name}/B_scale`, `${node.name}/B_zero`], `${node.name}/B`, { axis: 0 });
    this.produce(node, this.add('Conv', [input, w, b], `${node.name}/out`, attributes));
  }

  /** A conv weight stored as per-output-channel int8 levels, dequantized in the graph (`<conv>/W`). */
  private int8Weight(conv: string, dims: number[], weight: { values: Int8Array; scales: Float32Array }): string {
    const channels = dims[0]!;
    this.initializers.push(
      makeTensor(`${conv}/W_q`, dims, weight.values),
      makeTensor(`${conv}/W_scale`, [channels], weight.scales),
      makeTensor(`${conv}/W_zero`, [channels], new Int8Array(channels)),
    );
    return this.add('DequantizeLinear', [`${conv}/W_q`, `${conv}/W_scale`, `${conv}/W_zero`], `${conv}/W`, { axis: 0 });
  }

  /**
   * Records the ONNX tensor for a node's output, inserting a QuantizeLinear /
   * DequantizeLinear pair when the plan rounds it (see `outputRange`).
   */
  private produce(node: GraphNode, onnxName: string): void {
    const archName = node.output;
    this.tensorNames.set(archName, onnxName);
    const range = outputRange(this.plan, node);
    if (!range) {
      this.names.set(archName, onnxName);
      return;
    }
    const { scale, zeroPoint } = quantizeActivation(range);
    const scaleName = `${onnxName}_scale`;
    const zeroName = `${onnxName}_zero`;
    this.initializers.push(makeTensor(scaleName, [], Float32Array.of(scale)), makeTensor(zeroName, [], Uint8Array.of(zeroPoint)));
    const q = this.add('QuantizeLinear', [onnxName, scaleName, zeroName], `${onnxName}_q`);
    this.names.set(archName, this.add('DequantizeLinear', [q, scaleName, zeroName], `${onnxName}_dq`));
  }
}
