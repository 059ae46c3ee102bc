import type { ArchGraph } from '../archs/graph';
import { convParts } from '../archs/index';
import { ModelProtoType } from './onnx-proto';
import type { NamedWeights } from '../model/weights';
import { setConvPart } from '../model/init';

const FLOAT = 1;

interface DecodedTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly (number | { toNumber(): number })[];
  readonly rawData: Uint8Array;
}

/**
 * The trainable weights of `graph` read back from a float ONNX model this project
 * exported: each conv's folded OIHW weight becomes the HWIO kernel, and under weight
 * normalization `v = W` with `g = ||W||` per output channel, so `g v / ||v||` is exactly the
 * exported weight. A batch-normalized network cannot be unfolded (its statistics are
 * gone), and an int8 model holds rounded weights: both are refused.
 */
export function weightsFromOnnx(bytes: Uint8Array, graph: ArchGraph, label: string): NamedWeights {
  const model = ModelProtoType.toObject(ModelProtoType.decode(bytes), { defaults: true }) as { graph: { initializer: DecodedTensor[] } };
  const initializers = new Map(model.graph.initializer.map((tensor) => [tensor.name, tensor]));
  const weights: NamedWeights = new Map();
  for (const node of graph.nodes) {
    if (node.op !== 'conv') continue;
    if (node.normalization === 'batch') throw new Error(`${label}: a batch-normalized network cannot be restored from its folded ONNX weights`);
    const k = node.kernelSize;
    const [inC, outC] = [node.inChannels, node.outChannels];
    const oihw = floatInitializer(initializers, `${node.name}/W`, [outC, inC, k, k], label);
    const hwio = new Float32Array(oihw.length);
    for (let o = 0; o < outC; o++) {
      for (let i = 0; i < inC; i++) {
        for (let y = 0; y < k; y++) {
          for (let x = 0; x < k; x++) hwio[((y * k + x) * inC + i) * outC + o] = oihw[((o * inC + i) * k + y) * k + x]!;
        }
      }
    }
    setConvPart(weights, convParts(node)[0]!, hwio, floatInitializer(initializers, `${node.name}/B`, [outC], label));
  }
  return weights;
}

function floatInitializer(initializers: Map<string, DecodedTensor>, name: string, dims: number[], label: string): Float32Array {
  const tensor = initializers.get(name);
  if (tensor === undefined) {
    const quantized = initializers.has(name.replace(/\/([WB])$/, '/$1_q'));
    throw new Error(
      `${label}: no float initializer ${name}${quantized ? ' (an int8 model: start from its fp32 reference)' : ' (not a model of this architecture)'}`,
    );
  }
  const actual = tensor.dims.map(Number);
  if (tensor.dataType !== FLOAT || actual.join() !== dims.join()) {
    throw new Error(`${label}: ${name} is type ${tensor.dataType} [${actual.join(', ')}], expected float [${dims.join(', ')}]`);
  }
  // Copied: protobuf hands out views of the file's bytes at offsets not aligned for Float32Array.
  return new Float32Array(Uint8Array.from(tensor.rawData).buffer);
}
