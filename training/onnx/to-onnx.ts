import type { ArchGraph, ConvNode, GraphNode } from '../archs/graph';
import { foldConv } from './fold';
import { makeGraph, makeNode, makeTensor, makeValueInfo, type GraphProto, type NodeProto, type TensorProto } from './onnx-helpers';
import { outputRange, quantizedConvInput, type QuantizationPlan } from '../model/quantization/plan';
import { quantizeActivation, quantizeBias, quantizeWeightsPerChannel } from '../model/quantization/int8-arithmetic';
import type { NamedWeights } from '../model/weights';

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
 * How many horizontal bands a pointwise chain (1x1 conv, ReLU, 1x1 conv: WDSR-B's wide
 * activation) runs in, one after the other. The chain's widest tensor (6x the block's channels in
 * WDSR-B) is the largest allocation of a forward pass and sets onnxruntime's WebAssembly heap,
 * which never shrinks; in bands, only a quarter of it is alive at a time. Measured in workerd
 * (`npm run bench`, docs/benchmarks.md): the x2 16/8 model's heap after 128-pixel tiles of a
 * 512x512 image is 19.3 MiB banded against 27.8 unbanded, so the service can afford larger tiles,
 * which recompute less of their overlap. The chain is per pixel: bands change no output value.
 */
export const POINTWISE_BANDS = 4;

export interface OnnxLayout {
  /** {@link POINTWISE_BANDS} by default; 1 runs every chain whole. */
  readonly pointwiseBands?: number;
}

/**
 * Translates an architecture graph with trained weights into an ONNX graph (NCHW, input
 * and output RGB in [0, 1], dynamic spatial size, output clamped), in float unless quantized.
 * Static int8 runs its chains whole: its Q/DQ pairs sit on the tensors that banding splits.
 */
export function archToOnnx(graph: ArchGraph, weights: NamedWeights, quantization?: OnnxQuantization, layout: OnnxLayout = {}): OnnxExport {
  const plan = quantization !== undefined && 'plan' in quantization ? quantization.plan : undefined;
  const int8WeightConvs = (name: string) => quantization !== undefined && 'int8Weights' in quantization && !quantization.floatConvs.includes(name);
  const bands = plan === undefined ? (layout.pointwiseBands ?? POINTWISE_BANDS) : 1;
  if (!Number.isInteger(bands) || bands < 1) throw new RangeError(`pointwiseBands must be an integer >= 1, got ${bands}`);
  const emitter = new OnnxEmitter(plan, int8WeightConvs);
  emitter.rename(graph.input, INPUT_NAME);
  for (let index = 0; index < graph.nodes.length; index++) {
    const chain = bands > 1 ? pointwiseChainAt(graph.nodes, index) : undefined;
    if (chain) {
      emitter.emitBanded(chain, bands, weights);
      index += 2;
    } else emitter.emit(graph.nodes[index]!, index, weights);
  }
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

/** A 1x1 conv, a ReLU of its output and a 1x1 conv of that: a per-pixel computation. */
interface PointwiseChain {
  readonly expand: ConvNode;
  readonly relu: GraphNode;
  readonly reduce: ConvNode;
}

/** The chain starting at `nodes[index]`, if the next two nodes complete one and nothing else reads its inner tensors. */
function pointwiseChainAt(nodes: readonly GraphNode[], index: number): PointwiseChain | undefined {
  const [expand, relu, reduce] = nodes.slice(index, index + 3);
  if (expand?.op !== 'conv' || relu?.op !== 'relu' || reduce?.op !== 'conv') return undefined;
  if (expand.kernelSize !== 1 || reduce.kernelSize !== 1 || relu.input !== expand.output || reduce.input !== relu.output) return undefined;
  const readers = (tensor: string) => nodes.filter((n) => ('inputs' in n ? n.inputs.includes(tensor) : n.input === tensor)).length;
  return readers(expand.output) === 1 && readers(relu.output) === 1 ? { expand, relu, reduce } : undefined;
}

/** ONNX tensor names (int64) that banded chains pad, split and crop with. */
interface BandGeometry {
  readonly pads: string;
  readonly height: string;
  readonly zero: string;
  readonly heightAxis: string;
}

class OnnxEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** ArchGraph tensor name -> ONNX tensor name holding its (dequantized) value. */
  private readonly names = new Map<string, string>();
  /** ArchGraph tensor name -> ONNX tensor name of its float value, before any Q/DQ pair. */
  readonly tensorNames = new Map<string, string>();
  /** Shared by every banded chain; made by the first. */
  private bands: BandGeometry | undefined;

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
        this.emitConv(node, weights);
        break;
      case 'relu':
        this.produce(node, this.add('Relu', [this.ref(node.input)], `${id}_relu`));
        break;
      case 'add':
        this.produce(
          node,
          this.add(
            'Add',
            node.inputs.map((i) => this.ref(i)),
            `${id}_add`,
          ),
        );
        break;
      case 'pixelShuffle':
        this.produce(node, this.add('DepthToSpace', [this.ref(node.input)], `${id}_d2s`, { blocksize: node.blockSize, mode: 'DCR' }));
        break;
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
        this.produce(node, value);
        break;
      }
    }
  }

  /**
   * Emits a pointwise chain band by band: the input padded at the bottom to a multiple of `bands`
   * rows (so that no band is empty, even for an input lower than `bands` rows), split into equal
   * bands, each run through the chain, the results concatenated and cropped to the input's height.
   */
  emitBanded(chain: PointwiseChain, bands: number, weights: NamedWeights): void {
    const { expand, reduce } = chain;
    const geometry = this.bandGeometry(bands);
    const padded = this.add('Pad', [this.ref(expand.input), geometry.pads], `${expand.name}/banded`);
    const inputs = Array.from({ length: bands }, (_, band) => `${expand.name}/band${band}`);
    this.nodes.push(makeNode('Split', [padded], inputs, `Split_${this.nodes.length}`, { axis: 2 }));
    const [expandWeight, expandBias] = this.floatConvParameters(expand, weights);
    const [reduceWeight, reduceBias] = this.floatConvParameters(reduce, weights);
    const outputs = inputs.map((input, band) => {
      const wide = this.add('Conv', [input, expandWeight, expandBias], `${expand.name}/out${band}`, convAttributes(expand));
      const active = this.add('Relu', [wide], `${expand.name}/relu${band}`);
      return this.add('Conv', [active, reduceWeight, reduceBias], `${reduce.name}/out${band}`, convAttributes(reduce));
    });
    const joined = this.add('Concat', outputs, `${reduce.name}/banded`, { axis: 2 });
    this.produce(reduce, this.add('Slice', [joined, geometry.zero, geometry.height, geometry.heightAxis], `${reduce.name}/out`));
  }

  /**
   * The bottom padding that makes the height a multiple of `bands`, computed once from the
   * network input: every tensor before the pixel shuffle has its height (stride 1, same padding).
   */
  private bandGeometry(bands: number): BandGeometry {
    if (this.bands) return this.bands;
    const heightAxis = this.int64('bands/height_axis', [2]);
    const count = this.int64('bands/count', [bands]);
    const height = this.add('Gather', [this.add('Shape', [INPUT_NAME], 'bands/input_shape'), heightAxis], 'bands/height', { axis: 0 });
    const heightPlus = this.add('Add', [height, this.int64('bands/count_minus_one', [bands - 1])], 'bands/height_plus');
    const bandHeight = this.add('Div', [heightPlus, count], 'bands/band_height');
    const bottom = this.add('Sub', [this.add('Mul', [bandHeight, count], 'bands/padded_height'), height], 'bands/bottom');
    // ONNX pads: begin N, C, H, W, then end N, C, H, W.
    const pads = this.add('Concat', [this.int64('bands/pads_before_bottom', [0, 0, 0, 0, 0, 0]), bottom, this.int64('bands/pad_right', [0])], 'bands/pads', {
      axis: 0,
    });
    this.bands = { pads, height, zero: this.int64('bands/zero', [0]), heightAxis };
    return this.bands;
  }

  private int64(name: string, values: number[]): string {
    this.initializers.push(makeTensor(name, [values.length], BigInt64Array.from(values, BigInt)));
    return name;
  }

  /** Initializers of a conv that runs in float (with int8 weights where asked): `[weight, bias]` tensor names. */
  private floatConvParameters(node: ConvNode, weights: NamedWeights): [string, string] {
    const folded = foldConv(node, weights);
    let weight = `${node.name}/W`;
    if (this.int8WeightConvs(node.name)) weight = this.int8Weight(node.name, folded.dims, quantizeWeightsPerChannel(folded.weight, node.outChannels), 'int8');
    else this.initializers.push(makeTensor(weight, folded.dims, folded.weight));
    this.initializers.push(makeTensor(`${node.name}/B`, [node.outChannels], folded.bias));
    return [weight, `${node.name}/B`];
  }

  private emitConv(node: ConvNode, weights: NamedWeights): void {
    const attributes = convAttributes(node);
    const inputRange = quantizedConvInput(this.plan, node);
    if (!inputRange) {
      // A float conv reads the unquantized value where there is one: no rounding it does not need.
      const input = this.tensorNames.get(node.input) ?? this.ref(node.input);
      const [weight, bias] = this.floatConvParameters(node, weights);
      this.produce(node, this.add('Conv', [input, weight, bias], `${node.name}/out`, attributes));
      return;
    }
    const folded = foldConv(node, weights);
    const input = this.ref(node.input);
    const weight = quantizeWeightsPerChannel(folded.weight, node.outChannels);
    const inputScale = quantizeActivation(inputRange).scale;
    const bias = quantizeBias(folded.bias, inputScale, weight.scales);
    const w = this.int8Weight(node.name, folded.dims, weight, 'uint8');
    this.initializers.push(
      makeTensor(`${node.name}/B_q`, [node.outChannels], bias.values),
      makeTensor(`${node.name}/B_scale`, [node.outChannels], bias.scales),
      makeTensor(`${node.name}/B_zero`, [node.outChannels], new Int32Array(node.outChannels)),
    );
    const b = this.add('DequantizeLinear', [`${node.name}/B_q`, `${node.name}/B_scale`, `${node.name}/B_zero`], `${node.name}/B`, { axis: 0 });
    this.produce(node, this.add('Conv', [input, w, b], `${node.name}/out`, attributes));
  }

  /**
   * A conv weight stored as per-output-channel int8 levels, dequantized in the graph (`<conv>/W`).
   * As `uint8`, each level is stored plus 128 with zero point 128: the same weights, but a conv
   * whose input is quantized too fuses into onnxruntime's QLinearConv with its u8u8 kernel. Its
   * u8s8 kernel saturates int16 sums on x86 CPUs without VNNI (AVX2 only): 0.085 off, against 2/255,
   * in test/training/export-onnx.test.ts on such a machine (an AMD EPYC with AVX2).
   */
  private int8Weight(conv: string, dims: number[], weight: { values: Int8Array; scales: Float32Array }, storage: 'int8' | 'uint8'): string {
    const channels = dims[0]!;
    const levels = storage === 'int8' ? weight.values : Uint8Array.from(weight.values, (level) => level + 128);
    const zero = storage === 'int8' ? new Int8Array(channels) : new Uint8Array(channels).fill(128);
    this.initializers.push(
      makeTensor(`${conv}/W_q`, dims, levels),
      makeTensor(`${conv}/W_scale`, [channels], weight.scales),
      makeTensor(`${conv}/W_zero`, [channels], zero),
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

/** Square kernel, stride 1, 'same' zero padding (the ArchGraph's conv). */
function convAttributes(node: ConvNode): Record<string, number[]> {
  const pad = Math.floor(node.kernelSize / 2);
  return { kernel_shape: [node.kernelSize, node.kernelSize], pads: [pad, pad, pad, pad], strides: [1, 1] };
}
