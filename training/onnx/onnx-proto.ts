import protobuf from 'protobufjs/light.js';

/**
 * The subset of onnx.proto (onnx/onnx, IR version 8) that a convolutional network needs,
 * with the field numbers of the official schema so any ONNX runtime reads our bytes.
 * Declared as data instead of shipping the .proto so nothing is parsed at run time.
 */
const schema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, rule: 'repeated', type: 'float' },
            ints: { id: 8, rule: 'repeated', type: 'int64' },
            type: { id: 20, type: 'int32' },
          },
        },
        ValueInfoProto: {
          fields: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'TypeProto' }, docString: { id: 3, type: 'string' } },
        },
        NodeProto: {
          fields: {
            input: { id: 1, rule: 'repeated', type: 'string' },
            output: { id: 2, rule: 'repeated', type: 'string' },
            name: { id: 3, type: 'string' },
            opType: { id: 4, type: 'string' },
            attribute: { id: 5, rule: 'repeated', type: 'AttributeProto' },
            domain: { id: 7, type: 'string' },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { id: 1, type: 'int64' },
            producerName: { id: 2, type: 'string' },
            producerVersion: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            modelVersion: { id: 5, type: 'int64' },
            docString: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            opsetImport: { id: 8, rule: 'repeated', type: 'OperatorSetIdProto' },
            metadataProps: { id: 14, rule: 'repeated', type: 'StringStringEntryProto' },
          },
        },
        StringStringEntryProto: { fields: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'string' } } },
        GraphProto: {
          fields: {
            node: { id: 1, rule: 'repeated', type: 'NodeProto' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, rule: 'repeated', type: 'TensorProto' },
            docString: { id: 10, type: 'string' },
            input: { id: 11, rule: 'repeated', type: 'ValueInfoProto' },
            output: { id: 12, rule: 'repeated', type: 'ValueInfoProto' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, rule: 'repeated', type: 'int64' },
            dataType: { id: 2, type: 'int32' },
            name: { id: 8, type: 'string' },
            rawData: { id: 9, type: 'bytes' },
          },
        },
        TensorShapeProto: {
          fields: { dim: { id: 1, rule: 'repeated', type: 'Dimension' } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { id: 1, type: 'int64' }, dimParam: { id: 2, type: 'string' } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { id: 1, type: 'Tensor' } },
          nested: {
            Tensor: { fields: { elemType: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } } },
          },
        },
        OperatorSetIdProto: { fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);

/** The ModelProto message type: `encode` for the exporter, `decode` for tests and inspection. */
export const ModelProtoType = root.lookupType('onnx.ModelProto');
