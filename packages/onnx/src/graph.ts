/**
 * The graph an export builds: values named by the Tensor objects they came from, nodes in the order
 * they ran, initializers (parameters, buffers and constants) with their bytes.
 */
import type { DataArray, DType, Tensor, TensorRef } from '@flint/core';
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

/** The ONNX element type of a Flint dtype. */
export function onnxType(t: { readonly dtype: DType }): number {
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
  /**
   * Storage handles of traced values and the shapes they were traced at: a tensor sharing one is a
   * view the trace did not see. Flint's tensors are contiguous, so a handle and a shape name a value.
   */
  private readonly storages = new Map<unknown, { name: string; shape: readonly number[] }[]>();
  /** The storages among them that hold constants (read once into an initializer). */
  private readonly constantStorages = new Set<unknown>();

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
    if (traced !== undefined) throw viewError(t.shape, traced[0]!.name);
    const init = this.initializerNames.get(t);
    const name = init ?? this.fresh('const');
    this.claim(name);
    this.initializers.push(tensorProto(name, t));
    this.names.set(t, name);
    return name;
  }

  /**
   * The ONNX value of what a kernel reads (`ref`) inside a free function the exporter traces at its
   * kernels (free-functions.ts): a traced value of that storage and shape, the same with one size-1
   * dim inserted (stack's unsqueeze, a view) as Unsqueeze, or, for storage no traced op wrote, a
   * constant read with `read`.
   */
  refValue(ref: TensorRef<unknown>, read: () => DataArray): string {
    const values = this.storages.get(ref.storage);
    if (values === undefined) {
      // A parameter or buffer keeps its state-dict name.
      for (const t of this.initializerNames.keys())
        if (!t.isDisposed && t.ref.storage === ref.storage && sameShape(t.shape, ref.shape)) return this.value(t);
      const name = this.fresh('const');
      this.claim(name);
      this.initializers.push(rawTensorProto(name, read(), ref.shape, ref.dtype));
      this.bindStorage(ref.storage, name, ref.shape);
      this.constantStorages.add(ref.storage);
      return name;
    }
    const same = values.find((v) => sameShape(v.shape, ref.shape));
    if (same !== undefined) return same.name;
    for (const v of values) {
      if (ref.shape.length !== v.shape.length + 1) continue;
      const axis = ref.shape.findIndex(
        (_, i) => ref.shape[i] === 1 && sameShape([...ref.shape.slice(0, i), ...ref.shape.slice(i + 1)], v.shape),
      );
      if (axis < 0) continue;
      const name = this.node('Unsqueeze', [v.name, this.constant([axis], 'int64')]);
      this.bindStorage(ref.storage, name, ref.shape);
      return name;
    }
    throw viewError(ref.shape, values[0]!.name);
  }

  /** Record that the value `name` of `shape` is held in storage `handle` (a kernel's output). */
  bindStorage(handle: unknown, name: string, shape: readonly number[]): void {
    const list = this.storages.get(handle);
    if (list === undefined) this.storages.set(handle, [{ name, shape }]);
    else list.push({ name, shape });
  }

  /** Storage `handle` was freed: it holds no traced value any more. */
  forgetStorage(handle: unknown): void {
    this.storages.delete(handle);
    this.constantStorages.delete(handle);
  }

  /** Whether storage `handle` holds a value computed from the graph's inputs (not a constant). */
  holdsTracedValue(handle: unknown): boolean {
    return this.storages.has(handle) && !this.constantStorages.has(handle);
  }

  /** The traced value held in `t`'s storage at `t`'s shape, if any. */
  storageValue(t: Tensor): string | undefined {
    return this.storages.get(t.ref.storage)?.find((v) => sameShape(v.shape, t.shape))?.name;
  }

  /** A constant initializer from plain values (shape `dims`, default a 1-D list). */
  constant(
    values: readonly number[],
    dtype: 'float32' | 'int64' | DType,
    dims: readonly number[] = [values.length],
  ): string {
    const name = this.fresh('const');
    this.claim(name);
    if (dtype === 'int64') {
      const raw = bytesOf(BigInt64Array.from(values, (v) => BigInt(v)));
      this.initializers.push({ name, dims: [...dims], dataType: DataType.INT64, rawData: raw });
    } else {
      const data =
        dtype === 'float32'
          ? Float32Array.from(values)
          : dtype === 'int32'
            ? Int32Array.from(values)
            : Uint8Array.from(values);
      this.initializers.push(rawTensorProto(name, data, dims, dtype));
    }
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
    return this.reduce('ReduceMean', x, axes, keepdims);
  }

  /** A Reduce* op over `axes`: ReduceSum takes them as an input from opset 13, the others from 18. */
  reduce(opType: string, x: string, axes: readonly number[], keepdims: boolean): string {
    const keep = keepdims ? 1 : 0;
    return opType === 'ReduceSum' || this.opset >= 18
      ? this.node(opType, [x, this.constant(axes, 'int64')], { keepdims: keep })
      : this.node(opType, [x], { axes, keepdims: keep });
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
    this.bindStorage(t.ref.storage, name, t.shape);
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

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function viewError(shape: readonly number[], traced: string): Error {
  return new Error(
    `onnx export: a tensor of shape [${shape.join(', ')}] is a view of traced value '${traced}' made outside the traced ops ` +
      '(a free function such as reshape(x, shape) in forward): use the Tensor method (x.reshape(shape)) instead',
  );
}

function tensorProto(name: string, t: Tensor): TensorProto {
  let data: DataArray;
  try {
    data = t.dataSync();
  } catch (error) {
    throw new Error(
      `onnx export: cannot read '${name}' synchronously on device ${t.device} (${(error as Error).message}); export the model from cpu`,
      { cause: error },
    );
  }
  return rawTensorProto(name, data, t.shape, t.dtype);
}

function rawTensorProto(name: string, data: DataArray, shape: readonly number[], dtype: DType): TensorProto {
  const dataType = onnxType({ dtype });
  const values = data as ArrayLike<number>;
  let raw: Uint8Array;
  if (dataType === DataType.FLOAT) raw = bytesOf(Float32Array.from(values));
  else if (dataType === DataType.INT32) raw = bytesOf(Int32Array.from(values));
  else raw = bytesOf(Uint8Array.from(values, (v) => (v ? 1 : 0)));
  return { name, dims: [...shape], dataType, rawData: raw };
}
