/**
 * The graph an export builds: values named by the Tensor objects they came from, nodes in the order
 * they ran, initializers (parameters, buffers and constants) with their bytes.
 */
import type { Tensor } from '@flint/core';
import {
  AttributeType,
  type AttributeProto,
  DataType,
  type DimensionProto,
  encodeModel,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto/index.js';

/** An attribute value: a plain number is an INT (it must be integral); a float is `{ float }`. */
export type Attr =
  | number
  | { float: number }
  | readonly number[]
  | { floats: readonly number[] }
  | string
  | { strings: readonly string[] };

const FLINT_VERSION = '0.1.0';
/** The IR version that goes with an opset (ONNX's versioning table: opset 17-18 are IR 8). */
function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function onnxType(t: Tensor): number {
  if (t.dtype === 'float32') return DataType.FLOAT;
  if (t.dtype === 'int32') return DataType.INT32;
  if (t.dtype === 'bool') return DataType.BOOL;
  throw new Error(`onnx export: tensors of dtype ${t.dtype} are not supported`);
}

function bytesOf(values: Float32Array | Int32Array | BigInt64Array | Uint8Array): Uint8Array {
  // ONNX raw_data is little-endian, as typed arrays are on every platform Flint runs on.
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

function attribute(name: string, v: Attr): AttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`onnx export: attribute ${name} = ${v} must be an integer`);
    return { name, type: AttributeType.INT, i: v };
  }
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: [...v.floats] };
  if ('strings' in v)
    return { name, type: AttributeType.STRINGS, strings: v.strings.map((x) => new TextEncoder().encode(x)) };
  return { name, type: AttributeType.INTS, ints: [...(v as readonly number[])] };
}

export class GraphBuilder {
  private readonly names = new Map<Tensor, string>();
  /** Parameters and buffers by Tensor, emitted as initializers when a node first reads them. */
  private readonly initializerNames = new Map<Tensor, string>();
  private readonly used = new Set<string>();
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly nodeCounts = new Map<string, number>();
  private counter = 0;
  /** Storage handles of traced values: a tensor sharing one is a view the trace did not see. */
  private readonly storages = new Map<unknown, string>();

  constructor(readonly opset: number) {}

  nameInitializer(t: Tensor, name: string): void {
    if (!this.initializerNames.has(t)) this.initializerNames.set(t, name);
  }

  addInput(x: Tensor, name: string): void {
    this.claim(name);
    this.bind(x, name);
    this.inputs.push(valueInfo(name, x));
  }

  addOutput(y: Tensor, name: string): void {
    let value = this.names.get(y);
    // An output that is an input or initializer itself still needs a node of its own name.
    if (value === undefined || this.isGraphInputOrInitializer(value)) value = this.node('Identity', [this.value(y)]);
    this.rename(value, name);
    this.names.set(y, name);
    this.outputs.push(valueInfo(name, y));
  }

  /** Mark axes of graph inputs and outputs as symbolic (a dynamic batch axis). */
  setDynamicAxes(axes: Readonly<Record<string, readonly number[] | Readonly<Record<number, string>>>>): void {
    for (const [name, spec] of Object.entries(axes)) {
      const info = [...this.inputs, ...this.outputs].find((v) => v.name === name);
      if (info === undefined) {
        const known = [...this.inputs, ...this.outputs].map((v) => v.name).join(', ');
        throw new Error(`onnx export: dynamicAxes names '${name}', which is not a graph input or output (${known})`);
      }
      const dims = info.type!.tensorType!.shape!.dim!;
      const entries: [number, string][] = Array.isArray(spec)
        ? (spec as readonly number[]).map((a) => [a, `${name}_dim${a}`])
        : Object.entries(spec).map(([a, label]) => [Number(a), label as string]);
      for (const [axis, label] of entries) {
        if (!Number.isInteger(axis) || axis < 0 || axis >= dims.length)
          throw new Error(`onnx export: dynamicAxes['${name}'] has axis ${axis}; '${name}' has ${dims.length} dims`);
        dims[axis] = { dimParam: label };
      }
    }
  }

  /** The ONNX value holding `t`: a traced value, an initializer, or (anything else) a constant. */
  value(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const traced = this.storages.get(t.ref.storage);
    if (traced !== undefined)
      throw new Error(
        `onnx export: a tensor of shape [${t.shape.join(', ')}] is a view of traced value '${traced}' made outside the traced ops ` +
          '(a free function such as reshape(x, shape) in forward): use the Tensor method (x.reshape(shape)) instead',
      );
    const init = this.initializerNames.get(t);
    const name = init ?? this.fresh('const');
    this.claim(name);
    this.initializers.push(tensorProto(name, t));
    this.names.set(t, name);
    return name;
  }

  /** A constant initializer from plain values (shape `dims`, default a 1-D list). */
  constant(values: readonly number[], dtype: 'float32' | 'int64', dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.claim(name);
    const raw =
      dtype === 'float32' ? bytesOf(Float32Array.from(values)) : bytesOf(BigInt64Array.from(values, (v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: dtype === 'float32' ? DataType.FLOAT : DataType.INT64,
      rawData: raw,
    });
    return name;
  }

  /** Add a node; returns its (first) output's name. */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, outputCount = 1): string {
    const count = (this.nodeCounts.get(opType) ?? 0) + 1;
    this.nodeCounts.set(opType, count);
    const outputs = Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    for (const o of outputs) this.claim(o);
    this.nodes.push({
      name: `${opType}_${count}`,
      opType,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs[0]!;
  }

  /** ReduceMean over `axes`: an attribute below opset 18, an input from 18 on. */
  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    const keep = keepdims ? 1 : 0;
    return this.opset >= 18
      ? this.node('ReduceMean', [x, this.constant(axes, 'int64')], { keepdims: keep })
      : this.node('ReduceMean', [x], { axes, keepdims: keep });
  }

  /** All outputs of the node whose first output is `first`. */
  outputsOf(first: string): string[] {
    const n = this.nodes.find((node) => node.output[0] === first);
    if (n === undefined) throw new Error(`onnx export: no node writes '${first}'`);
    return n.output;
  }

  /** Record that `t` is held by ONNX value `name`. */
  bind(t: Tensor, name: string): void {
    this.names.set(t, name);
    if (!this.storages.has(t.ref.storage)) this.storages.set(t.ref.storage, name);
  }

  encode(graphName: string): Uint8Array {
    return encodeModel({
      irVersion: irVersionFor(this.opset),
      producerName: 'flint',
      producerVersion: FLINT_VERSION,
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }

  private isGraphInputOrInitializer(name: string): boolean {
    return this.inputs.some((v) => v.name === name) || this.initializers.some((t) => t.name === name);
  }

  private rename(from: string, to: string): void {
    this.claim(to);
    for (const n of this.nodes) n.output = n.output.map((o) => (o === from ? to : o));
    for (const n of this.nodes) n.input = n.input.map((i) => (i === from ? to : i));
    for (const [t, v] of this.names) if (v === from) this.names.set(t, to);
  }

  private fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    return name;
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new Error(`onnx export: the name '${name}' is used twice in the graph`);
    this.used.add(name);
  }
}

function valueInfo(name: string, t: Tensor): ValueInfoProto {
  const dim: DimensionProto[] = t.shape.map((d) => ({ dimValue: d }));
  return { name, type: { tensorType: { elemType: onnxType(t), shape: { dim } } } };
}

function tensorProto(name: string, t: Tensor): TensorProto {
  let data: ArrayLike<number | boolean>;
  try {
    data = t.dataSync() as ArrayLike<number | boolean>;
  } catch (error) {
    throw new Error(
      `onnx export: cannot read '${name}' synchronously on device ${t.device} (${(error as Error).message}); export the model from cpu`,
      { cause: error },
    );
  }
  const dataType = onnxType(t);
  let raw: Uint8Array;
  if (dataType === DataType.FLOAT) raw = bytesOf(Float32Array.from(data as ArrayLike<number>));
  else if (dataType === DataType.INT32) raw = bytesOf(Int32Array.from(data as ArrayLike<number>));
  else raw = bytesOf(Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0)));
  return { name, dims: [...t.shape], dataType, rawData: raw };
}
