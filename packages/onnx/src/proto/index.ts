/**
 * ONNX's protobuf messages, read from the vendored onnx.proto by protobufjs at first use. Only the
 * fields Flint writes and reads are typed here; protobufjs checks the rest against the schema.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO } from './schema.js';

/** TensorProto.DataType values Flint uses. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims?: (number | Long)[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: (number | Long)[];
  doubleData?: number[];
}

/** protobufjs decodes int64 as Long objects when the long package is present, else as numbers. */
export interface Long {
  toNumber(): number;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number | Long;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: (number | Long)[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  name?: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeProto[];
}

export interface DimensionProto {
  dimValue?: number | Long;
  dimParam?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DimensionProto[] } } };
}

export interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer?: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
}

export interface ModelProto {
  irVersion?: number | Long;
  producerName?: string;
  producerVersion?: string;
  opsetImport?: { domain?: string; version?: number | Long }[];
  graph?: GraphProto;
}

let modelType: protobuf.Type | undefined;

function model(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** The protobuf bytes of `m` (a .onnx file). Unknown or mistyped fields are an error. */
export function encodeModel(m: ModelProto): Uint8Array {
  const type = model();
  const problem = type.verify(m);
  if (problem !== null) throw new Error(`onnx: invalid ModelProto: ${problem}`);
  return type.encode(type.fromObject(m as Record<string, unknown>)).finish();
}

/** The ModelProto in a .onnx file's bytes. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return model().decode(bytes) as unknown as ModelProto;
  } catch (error) {
    throw new Error(`onnx: the bytes are not an ONNX model (${(error as Error).message})`, { cause: error });
  }
}

/** An int64 field as a number (protobufjs may hand a Long). */
export function int(v: number | Long | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
