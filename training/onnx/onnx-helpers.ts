/**
 * Constructors for ONNX protos, one per type, after onnx's own `helper.py`: attributes
 * sorted by name and absent ones dropped, so the same model always encodes to the same bytes.
 */

/** onnx.TensorProto.DataType values used here. */
const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** onnx.AttributeProto.AttributeType values used here. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  rawData: Uint8Array;
}
interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}
export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}
export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: DataTypeCode; shape?: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}
export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}
export type AttributeValue = number | string | number[];

/** Attribute from a JS value: integers become INT, other numbers FLOAT, arrays INTS (integers only). */
function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new TypeError(`attribute ${name}: only integer lists are supported`);
    return { name, type: AttributeType.INTS, ints: value };
  }
  return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: Record<string, AttributeValue | undefined> = {},
): NodeProto {
  const attribute = Object.keys(attributes)
    .sort()
    .flatMap((key) => (attributes[key] === undefined ? [] : [makeAttribute(key, attributes[key])]));
  return { name, opType, input: inputs, output: outputs, attribute };
}

type TypedData = Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array;

const dataTypeOf = (data: TypedData): DataTypeCode =>
  data instanceof Float32Array
    ? DataType.FLOAT
    : data instanceof Int32Array
      ? DataType.INT32
      : data instanceof Int8Array
        ? DataType.INT8
        : data instanceof Uint8Array
          ? DataType.UINT8
          : DataType.INT64;

/** A tensor stored as little-endian raw bytes (ONNX's raw_data layout). */
export function makeTensor(name: string, dims: number[], data: TypedData): TensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new RangeError(`tensor ${name}: ${data.length} values for dims [${dims}]`);
  // Typed arrays are host-endian; every platform Node and workerd run on is little-endian.
  const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return { name, dims, dataType: dataTypeOf(data), rawData };
}

/** A float tensor value description; string dims are symbolic (dynamic), no dims an unknown shape. */
export function makeValueInfo(name: string, dims?: (number | string)[], elemType: DataTypeCode = DataType.FLOAT): ValueInfoProto {
  if (!dims) return { name, type: { tensorType: { elemType } } };
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export function makeGraph(name: string, nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], initializers: TensorProto[]): GraphProto {
  const seen = new Set<string>([...inputs.map((i) => i.name), ...initializers.map((i) => i.name)]);
  for (const node of nodes) {
    for (const output of node.output) {
      if (seen.has(output)) throw new Error(`graph ${name}: tensor name ${output} is produced twice`);
      seen.add(output);
    }
  }
  return { name, node: nodes, initializer: initializers, input: inputs, output: outputs };
}
