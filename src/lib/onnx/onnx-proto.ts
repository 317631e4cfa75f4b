/**
 * The subset of ONNX's protobuf messages the lab writes, with encoders.
 * Field numbers follow onnx.proto (ONNX 1.18); only fields we use are modelled.
 */
import { ProtoWriter, floatsToBytes, int64sToBytes } from './protobuf';

/** TensorProto.DataType values we emit. */
export const DataType = { FLOAT: 1, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values we emit. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorValue {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  /** Numbers for FLOAT/DOUBLE/INT64 (written as little-endian raw_data); strings for STRING. */
  data: ArrayLike<number> | readonly string[];
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorValue }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] };

export interface NodeValue {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

/** A tensor type: element type plus shape; a string dim is symbolic (dim_param), a number fixed. */
export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  shape: (number | string)[];
  docString?: string;
}

export interface GraphValue {
  name: string;
  nodes: NodeValue[];
  initializers: TensorValue[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  docString?: string;
}

export interface ModelValue {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: GraphValue;
  docString?: string;
  metadata?: Record<string, string>;
}

export function encodeTensor(t: TensorValue): Uint8Array {
  const w = new ProtoWriter();
  w.packedInt64(1, t.dims); // dims
  w.int32(2, t.dataType); // data_type
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims [${t.dims}]`);
  if (t.dataType === DataType.STRING) {
    // String tensors cannot use raw_data; each element is one string_data entry.
    for (const s of t.data as readonly string[]) w.string(6, s);
  } else {
    const nums = t.data as ArrayLike<number>;
    const raw =
      t.dataType === DataType.FLOAT ? floatsToBytes(nums, 4) : t.dataType === DataType.DOUBLE ? floatsToBytes(nums, 8) : int64sToBytes(nums);
    w.bytes(9, raw); // raw_data
  }
  w.string(8, t.name); // name
  return w.finish();
}

function encodeAttribute(name: string, a: AttributeValue): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, name);
  switch (a.kind) {
    case 'float': w.float(2, a.value).int32(20, AttrType.FLOAT); break;
    case 'int': w.int64(3, a.value).int32(20, AttrType.INT); break;
    case 'string': w.string(4, a.value).int32(20, AttrType.STRING); break;
    case 'tensor': w.message(5, encodeTensor(a.value)).int32(20, AttrType.TENSOR); break;
    case 'floats': w.packedFloat(7, a.value).int32(20, AttrType.FLOATS); break;
    case 'ints': w.packedInt64(8, a.value).int32(20, AttrType.INTS); break;
  }
  return w.finish();
}

function encodeNode(n: NodeValue): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int64(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int32(1, v.elemType).message(2, shape.finish());
  const type = new ProtoWriter().message(1, tensorType.finish()); // TypeProto.tensor_type
  const w = new ProtoWriter().string(1, v.name).message(2, type.finish());
  if (v.docString) w.string(3, v.docString);
  return w.finish();
}

function encodeGraph(g: GraphValue): Uint8Array {
  const w = new ProtoWriter(1024);
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.docString) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

/** Serialises a model to the bytes of a self-contained `model.onnx` (no external data). */
export function encodeModel(m: ModelValue): Uint8Array {
  const w = new ProtoWriter(4096);
  w.int64(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const op of m.opsetImports) w.message(8, new ProtoWriter().string(1, op.domain).int64(2, op.version).finish());
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value).finish()); // StringStringEntryProto
  }
  return w.finish();
}
