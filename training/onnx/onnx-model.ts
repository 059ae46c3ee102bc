import { ModelProtoType } from './onnx-proto';
import type { GraphProto } from './onnx-helpers';

/**
 * Pinned so an export never changes with the library: opset 17 (IR version 8) has
 * per-channel QuantizeLinear/DequantizeLinear and DCR DepthToSpace, and every
 * onnxruntime-web and onnxruntime-node release since 1.12 runs it.
 */
export const OPSET_VERSION = 17;
const IR_VERSION = 8;
const PRODUCER = 'wdsr-edge';

/** Serialises a graph as a ModelProto; metadata keys are sorted so equal inputs give equal bytes. */
export function encodeModel(graph: GraphProto, metadata: Record<string, string>, docString: string): Uint8Array<ArrayBuffer> {
  const metadataProps = Object.keys(metadata)
    .sort()
    .map((key) => ({ key, value: metadata[key]! }));
  const message = ModelProtoType.fromObject({
    irVersion: IR_VERSION,
    producerName: PRODUCER,
    producerVersion: '1',
    modelVersion: 1,
    docString,
    graph,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    metadataProps,
  });
  // protobufjs writes into a plain (never shared) ArrayBuffer, which is what Web Crypto digests.
  return ModelProtoType.encode(message).finish() as Uint8Array<ArrayBuffer>;
}
