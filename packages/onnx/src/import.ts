/**
 * ONNX import: an ONNX graph as a Flint module for inference. Its initializers are the module's
 * buffers; forward runs the nodes in order with Flint ops on the default device.
 */
import { arange, cat, fromArray, full, nn, ones, type Tensor, tidy, where } from '@flint/core';
import { runRecurrent } from './import-rnn.js';
import {
  type AttributeProto,
  DataType,
  decodeModel,
  type GraphProto,
  int,
  type NodeProto,
  type TensorProto,
} from './proto/index.js';

const F = nn.functional;
type InterpolateOptions = NonNullable<Parameters<typeof F.interpolate>[1]>;
type InterpolateMode = NonNullable<InterpolateOptions['mode']>;

/** int64 tensors of the graph (shapes, axes, indices) stay on the host as plain numbers. */
interface HostInts {
  readonly host: true;
  readonly dims: number[];
  readonly values: number[];
}

type Value = Tensor | HostInts;

const isHost = (v: Value): v is HostInts => (v as HostInts).host === true;

export interface ImportOptions {
  /** Device of the initializers (default: the default device). */
  device?: string;
}

/**
 * The values of small decoded tensors (scalars, bounds, fill values), kept on the host so that
 * kernels needing them as numbers do not read them back from the device.
 */
const hostCopies = new WeakMap<Tensor, ArrayLike<number>>();
const HOST_COPY_LIMIT = 64;

function keepHostCopy(t: Tensor, values: ArrayLike<number>): Tensor {
  if (values.length <= HOST_COPY_LIMIT) hostCopies.set(t, values);
  return t;
}

function decodeTensor(t: TensorProto, device: string | undefined): Value {
  const dims = (t.dims ?? []).map(int);
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData !== undefined && t.rawData.length > 0 ? t.rawData : undefined;
  const view = (bytesPer: number) => {
    if (raw === undefined) return undefined;
    if (raw.byteLength !== n * bytesPer)
      throw new Error(`onnx import: tensor '${t.name}' has ${raw.byteLength} bytes of raw data for shape [${dims}]`);
    return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  };
  const type = t.dataType ?? 0;
  if (type === DataType.FLOAT || type === DataType.DOUBLE) {
    const dv = view(type === DataType.FLOAT ? 4 : 8);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++)
      values[i] =
        dv !== undefined
          ? type === DataType.FLOAT
            ? dv.getFloat32(i * 4, true)
            : dv.getFloat64(i * 8, true)
          : ((type === DataType.FLOAT ? t.floatData : t.doubleData)?.[i] ?? Number.NaN);
    return keepHostCopy(fromArray(values, dims, { device }), values);
  }
  if (type === DataType.INT64) {
    const dv = view(8);
    const values = Array.from({ length: n }, (_, i) =>
      dv !== undefined ? Number(dv.getBigInt64(i * 8, true)) : int(t.int64Data?.[i]),
    );
    return { host: true, dims, values };
  }
  if (type === DataType.INT32 || type === DataType.BOOL) {
    const dv = view(type === DataType.INT32 ? 4 : 1);
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++)
      values[i] =
        dv !== undefined
          ? type === DataType.INT32
            ? dv.getInt32(i * 4, true)
            : dv.getUint8(i)
          : (t.int32Data?.[i] ?? 0);
    return keepHostCopy(fromArray(values, dims, { device, dtype: type === DataType.INT32 ? 'int32' : 'bool' }), values);
  }
  throw new Error(`onnx import: tensor '${t.name}' has data type ${type}, which Flint does not read`);
}

class Attrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(
    private readonly node: NodeProto,
    /** The device the graph runs on: its own tensors (constants, host integers) are made there. */
    readonly device: string | undefined,
  ) {
    for (const a of node.attribute ?? []) this.byName.set(a.name, a);
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a === undefined ? fallback : int(a.i);
  }
  float(name: string, fallback: number): number {
    return this.byName.get(name)?.f ?? fallback;
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  floats(name: string): number[] | undefined {
    return this.byName.get(name)?.floats;
  }
  ints(name: string): number[] | undefined {
    return this.byName.get(name)?.ints?.map(int);
  }
  string(name: string): string | undefined {
    const s = this.byName.get(name)?.s;
    return s === undefined ? undefined : new TextDecoder().decode(s);
  }
  strings(name: string): string[] | undefined {
    return this.byName.get(name)?.strings?.map((s) => new TextDecoder().decode(s));
  }
  tensor(name: string): TensorProto | undefined {
    return this.byName.get(name)?.t;
  }
  /** How many outputs the node names. */
  get outputCount(): number {
    return this.node.output.length;
  }
  get label(): string {
    return `node '${this.node.name ?? ''}' (${this.node.opType})`;
  }
}

type Kernel = (inputs: (Value | undefined)[], a: Attrs, device: string | undefined) => Value[];

function tensorOf(v: Value | undefined, a: Attrs, what: string): Tensor {
  if (v === undefined) throw new Error(`onnx import: ${a.label} is missing its ${what} input`);
  if (isHost(v)) return fromArray(Int32Array.from(v.values), v.dims, { dtype: 'int32', device: a.device });
  return v;
}

function hostOf(v: Value | undefined, a: Attrs, what: string): HostInts {
  if (v === undefined) throw new Error(`onnx import: ${a.label} is missing its ${what} input`);
  if (isHost(v)) return v;
  const copy = hostCopies.get(v);
  return { host: true, dims: [...v.shape], values: Array.from(copy ?? (v.dataSync() as ArrayLike<number>)) };
}

/** A scalar input as a number (from the host when the graph made it; else read back). */
function scalarOf(v: Value | undefined, a: Attrs, what: string): number {
  if (v !== undefined && !isHost(v) && v.shape.some((d) => d !== 1))
    throw new Error(`onnx import: ${a.label}: ${what} of shape [${v.shape}] is not a scalar`);
  const value = hostOf(v, a, what).values[0];
  if (value === undefined) throw new Error(`onnx import: ${a.label}: ${what} is empty`);
  return value;
}

/** A conv's or pool's window settings, with ONNX's pads [begin..., end...] resolved from auto_pad. */
interface Window {
  kernel: number[];
  stride: number[];
  dilation: number[];
  begin: number[];
  end: number[];
  /** Begin and end pads equal (Flint's padding argument can express them). */
  even: boolean;
}

/**
 * The window of a Conv/MaxPool/AveragePool node over `x`: `pads`, or for auto_pad SAME_UPPER and
 * SAME_LOWER the total padding that makes the output ceil(in / stride) long, its odd unit at the end
 * (UPPER) or the beginning (LOWER); VALID is no padding.
 */
function windowOf(a: Attrs, x: Tensor, kernel: number[]): Window {
  const n = kernel.length;
  if (x.ndim !== n + 2)
    throw new Error(`onnx import: ${a.label}: input of shape [${x.shape}] for a ${n}-D window (expected ${n + 2}-D)`);
  const ones = kernel.map(() => 1);
  const stride = a.ints('strides') ?? ones;
  const dilation = a.ints('dilations') ?? ones;
  const autoPad = a.string('auto_pad') ?? 'NOTSET';
  let pads: number[];
  if (autoPad === 'NOTSET') {
    pads = a.ints('pads') ?? new Array<number>(2 * n).fill(0);
    if (pads.length !== 2 * n)
      throw new Error(`onnx import: ${a.label}: pads [${pads}] must hold ${2 * n} values for a ${n}-D window`);
    if (pads.some((p) => p < 0)) throw new Error(`onnx import: ${a.label}: negative pads [${pads}]`);
  } else if (autoPad === 'VALID') {
    pads = new Array<number>(2 * n).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begin: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < n; i++) {
      const size = x.shape[i + 2]!;
      const out = Math.ceil(size / stride[i]!);
      const total = Math.max(0, (out - 1) * stride[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - size);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begin, ...end];
  } else {
    throw new Error(`onnx import: ${a.label}: auto_pad ${autoPad} is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  const begin = pads.slice(0, n);
  const end = pads.slice(n);
  return { kernel, stride, dilation, begin, end, even: begin.every((p, i) => p === end[i]) };
}

/** `x` padded with `value` on its trailing spatial dims ([begin..., end...] as ONNX orders them). */
function padSpatial(x: Tensor, begin: readonly number[], end: readonly number[], value: number): Tensor {
  if (begin.every((p) => p === 0) && end.every((p) => p === 0)) return x;
  // F.pad (as PyTorch) takes (begin, end) pairs from the last dim backwards.
  const padding = begin.flatMap((_, i) => [begin[begin.length - 1 - i]!, end[end.length - 1 - i]!]);
  return F.pad(x, padding, 'constant', value);
}

const one = <T>(f: (x: Tensor, a: Attrs) => T) =>
  ((inputs: (Value | undefined)[], a: Attrs) => [f(tensorOf(inputs[0], a, 'first'), a)]) as Kernel;
const two =
  (f: (x: Tensor, y: Tensor) => Tensor): Kernel =>
  (inputs, a) => [f(tensorOf(inputs[0], a, 'first'), tensorOf(inputs[1], a, 'second'))];
const normalize = (d: number, ndim: number): number => (d < 0 ? d + ndim : d);

function pool(kind: 'max' | 'avg'): Kernel {
  return (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'X');
    const kernel = a.ints('kernel_shape');
    if (kernel === undefined) throw new Error(`onnx import: ${a.label} has no kernel_shape`);
    if (kernel.length !== 1 && kernel.length !== 2)
      throw new Error(`onnx import: ${a.label}: ${kernel.length}-D pooling is not supported (1-D and 2-D)`);
    if (kind === 'max' && a.outputCount > 1)
      throw new Error(`onnx import: ${a.label}: MaxPool's Indices output is not supported`);
    const w = windowOf(a, x, kernel);
    if (kind === 'avg' && w.dilation.some((d) => d !== 1))
      throw new Error(`onnx import: ${a.label}: dilations [${w.dilation}] in AveragePool are not supported`);
    const ceilMode = a.int('ceil_mode', 0) === 1;
    const countIncludePad = a.int('count_include_pad', 0) === 1;
    // Flint's padding (as PyTorch's) is symmetric and at most half the kernel; other pads are
    // written into the input: -inf for max, zeros for average, where a mask of the real elements
    // pooled alike gives the divisor when padding does not count.
    const direct = w.even && w.begin.every((p, i) => 2 * p <= kernel[i]!);
    const input = direct ? x : padSpatial(x, w.begin, w.end, kind === 'max' ? Number.NEGATIVE_INFINITY : 0);
    const padding = direct ? w.begin : w.begin.map(() => 0);
    const run = (t: Tensor): Tensor => {
      if (kernel.length === 2) {
        const options = { stride: w.stride as [number, number], padding: padding as [number, number], ceilMode };
        return kind === 'max'
          ? F.maxPool2d(t, kernel as [number, number], { ...options, dilation: w.dilation as [number, number] })
          : F.avgPool2d(t, kernel as [number, number], { ...options, countIncludePad: !direct || countIncludePad });
      }
      const options = { stride: w.stride[0]!, padding: padding[0]!, ceilMode };
      return kind === 'max'
        ? F.maxPool1d(t, kernel[0]!, { ...options, dilation: w.dilation[0]! })
        : F.avgPool1d(t, kernel[0]!, { ...options, countIncludePad: !direct || countIncludePad });
    };
    let y = run(input);
    if (!direct && kind === 'avg' && !countIncludePad) {
      const real = ones([1, 1, ...x.shape.slice(2)], { device: x.device });
      y = y.div(run(padSpatial(real, w.begin, w.end, 0)));
    }
    if (direct || !ceilMode) return [y];
    // ceil_mode drops a last window that starts past the input and its begin pad (ONNX, as
    // PyTorch for its own padding); on the padded input Flint only drops one past the end pad.
    for (const [i, k] of kernel.entries()) {
      const size = x.shape[i + 2]!;
      const span = size + w.begin[i]! + w.end[i]! - (k - 1) * w.dilation[i]! - 1;
      let out = Math.ceil(span / w.stride[i]!) + 1;
      if ((out - 1) * w.stride[i]! >= size + w.begin[i]!) out--;
      if (y.shape[i + 2]! > out) y = y.slice(i + 2, 0, out);
    }
    return [y];
  };
}

/**
 * ONNX Slice's elements along a dim of `size`: the first index, how many, and the step. Negative
 * starts and ends count from the end; they are clamped to [0, size] for positive steps and to
 * [-1, size - 1] for negative ones (int64 extremes such as INT64_MAX arrive as large numbers).
 */
function sliceRange(size: number, start: number, end: number, step: number) {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + size : v, lo), hi);
  const first = step > 0 ? clamp(start, 0, size) : clamp(start, 0, size - 1);
  const last = step > 0 ? clamp(end, 0, size) : clamp(end, -1, size - 1);
  const count = Math.max(0, Math.ceil((last - first) / step));
  return { first, count, step };
}

/** Host integers rearranged: output element at multi-index `at` is the input's at `source(at)`. */
function hostRearranged(v: HostInts, dims: number[], source: (at: number[]) => number[]): HostInts {
  const strides = v.dims.map((_, i) => v.dims.slice(i + 1).reduce((p, q) => p * q, 1));
  const count = dims.reduce((p, q) => p * q, 1);
  const values = new Array<number>(count);
  const at = dims.map(() => 0);
  for (let i = 0; i < count; i++) {
    let rest = i;
    for (let d = dims.length - 1; d >= 0; d--) {
      at[d] = rest % dims[d]!;
      rest = Math.floor(rest / dims[d]!);
    }
    values[i] = v.values[source(at).reduce((p, q, d) => p + q * strides[d]!, 0)]!;
  }
  return { host: true, dims, values };
}

const asBool = (t: Tensor): Tensor => (t.dtype === 'bool' ? t : t.ne(0));

/**
 * A broadcasting binary op: on the host for two host integer values (torch's shape arithmetic:
 * x.size(1) // heads), else with Flint ops on tensors.
 */
function arithmetic(host: (p: number, q: number) => number, device: (x: Tensor, y: Tensor) => Tensor): Kernel {
  return (inputs, a) => {
    const [p, q] = inputs;
    if (p !== undefined && q !== undefined && isHost(p) && isHost(q)) {
      const n = Math.max(p.values.length, q.values.length);
      if ((p.values.length === n || p.values.length === 1) && (q.values.length === n || q.values.length === 1)) {
        const dims = p.values.length === n && p.dims.length >= q.dims.length ? p.dims : q.dims;
        const at = (v: HostInts, i: number) => v.values[v.values.length === 1 ? 0 : i]!;
        return [{ host: true, dims, values: Array.from({ length: n }, (_, i) => host(at(p, i), at(q, i))) }];
      }
    }
    return [device(tensorOf(p, a, 'first'), tensorOf(q, a, 'second'))];
  };
}

function variadic(f: (x: Tensor, y: Tensor) => Tensor): Kernel {
  return (inputs, a) => {
    const tensors = inputs.filter((v): v is Value => v !== undefined).map((v) => tensorOf(v, a, 'input'));
    if (tensors.length === 0) throw new Error(`onnx import: ${a.label} has no inputs`);
    return [tensors.slice(1).reduce(f, tensors[0]!)];
  };
}

const KERNELS: Readonly<Record<string, Kernel>> = {
  Identity: (inputs) => [inputs[0]!],
  Dropout: (inputs) => [inputs[0]!],
  Constant: (_inputs, a, device) => {
    const t = a.tensor('value');
    if (t !== undefined) return [decodeTensor(t, device)];
    if (a.has('value_int')) return [{ host: true, dims: [], values: [a.int('value_int', 0)] }];
    const ints = a.ints('value_ints');
    if (ints !== undefined) return [{ host: true, dims: [ints.length], values: ints }];
    const floats = a.has('value_float') ? [a.float('value_float', 0)] : a.floats('value_floats');
    if (floats !== undefined) {
      const values = Float32Array.from(floats);
      return [keepHostCopy(fromArray(values, a.has('value_float') ? [] : [values.length], { device }), values)];
    }
    throw new Error(
      `onnx import: ${a.label}: only the value, value_int(s) and value_float(s) forms of Constant are supported`,
    );
  },
  Relu: one((x) => x.relu()),
  Sigmoid: one((x) => x.sigmoid()),
  Tanh: one((x) => x.tanh()),
  Exp: one((x) => x.exp()),
  Neg: one((x) => x.neg()),
  Sqrt: one((x) => x.sqrt()),
  Abs: one((x) => x.abs()),
  Log: one((x) => x.log()),
  Erf: one((x) => x.erf()),
  LeakyRelu: one((x, a) => F.leakyRelu(x, a.float('alpha', 0.01))),
  Elu: one((x, a) => F.elu(x, a.float('alpha', 1))),
  Softplus: one((x) => F.softplus(x)),
  Softmax: one((x, a) => x.softmax(a.int('axis', -1))),
  LogSoftmax: one((x, a) => x.logSoftmax(a.int('axis', -1))),
  Add: arithmetic(
    (p, q) => p + q,
    (x, y) => x.add(y),
  ),
  Sub: arithmetic(
    (p, q) => p - q,
    (x, y) => x.sub(y),
  ),
  Mul: arithmetic(
    (p, q) => p * q,
    (x, y) => x.mul(y),
  ),
  // ONNX's integer division truncates toward zero.
  Div: arithmetic(
    (p, q) => Math.trunc(p / q),
    (x, y) => (x.dtype === 'int32' && y.dtype === 'int32' ? x.div(y).trunc().to('int32') : x.div(y)),
  ),
  Equal: arithmetic(
    (p, q) => Number(p === q),
    (x, y) => x.eq(y),
  ),
  Less: arithmetic(
    (p, q) => Number(p < q),
    (x, y) => x.lt(y),
  ),
  Greater: arithmetic(
    (p, q) => Number(p > q),
    (x, y) => x.gt(y),
  ),
  LessOrEqual: arithmetic(
    (p, q) => Number(p <= q),
    (x, y) => x.le(y),
  ),
  GreaterOrEqual: arithmetic(
    (p, q) => Number(p >= q),
    (x, y) => x.ge(y),
  ),
  And: two((x, y) => asBool(x).logicalAnd(asBool(y))),
  Or: two((x, y) => asBool(x).logicalOr(asBool(y))),
  Not: (inputs, a) => {
    const v = inputs[0];
    if (v !== undefined && isHost(v))
      return [{ host: true, dims: v.dims, values: v.values.map((p) => Number(p === 0)) }];
    return [asBool(tensorOf(v, a, 'X')).logicalNot()];
  },
  Where: (inputs, a) => {
    const [c, x, y] = inputs;
    if (c !== undefined && x !== undefined && y !== undefined && isHost(c) && isHost(x) && isHost(y)) {
      const n = Math.max(c.values.length, x.values.length, y.values.length);
      if ([c, x, y].every((v) => v.values.length === n || v.values.length === 1)) {
        const at = (v: HostInts, i: number) => v.values[v.values.length === 1 ? 0 : i]!;
        const dims = [c, x, y].find((v) => v.values.length === n)!.dims;
        return [
          { host: true, dims, values: Array.from({ length: n }, (_, i) => (at(c, i) !== 0 ? at(x, i) : at(y, i))) },
        ];
      }
    }
    return [where(asBool(tensorOf(c, a, 'condition')), tensorOf(x, a, 'X'), tensorOf(y, a, 'Y'))];
  },
  Max: variadic((x, y) => x.maximum(y)),
  Min: variadic((x, y) => x.minimum(y)),
  Sin: one((x) => x.sin()),
  Tan: one((x) => x.tan()),
  Asin: one((x) => x.asin()),
  Acos: one((x) => x.acos()),
  Atan: one((x) => x.atan()),
  Sinh: one((x) => x.sinh()),
  Cosh: one((x) => x.cosh()),
  // Halves to even, as ONNX's Round.
  Round: one((x) => x.round()),
  CumSum: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'x');
    const axis = normalize(scalarOf(inputs[1], a, 'axis'), x.ndim);
    const reverse = a.int('reverse', 0) === 1;
    const input = reverse ? x.flip(axis) : x;
    let y = input.cumsum(axis);
    // exclusive: each sum leaves out its own element.
    if (a.int('exclusive', 0) === 1) y = y.sub(input);
    return [reverse ? y.flip(axis) : y];
  },
  Cos: one((x) => x.cos()),
  Floor: one((x) => x.floor()),
  Ceil: one((x) => x.ceil()),
  Reciprocal: one((x) => x.reciprocal()),
  Sign: one((x) => x.sign()),
  Cast: (inputs, a) => {
    const to = a.int('to', 0);
    const v = inputs[0];
    if (v === undefined) throw new Error(`onnx import: ${a.label} is missing its input`);
    // Integers on the host stay there (they are shapes and indices); int64 tensors are int32 in Flint.
    if (isHost(v) && (to === DataType.INT64 || to === DataType.INT32)) return [v];
    const x = tensorOf(v, a, 'input');
    if (to === DataType.FLOAT || to === DataType.DOUBLE) return [x.dtype === 'float32' ? x : x.float()];
    if (to === DataType.INT64 || to === DataType.INT32) return [x.dtype === 'int32' ? x : x.to('int32')];
    if (to === DataType.BOOL) return [asBool(x)];
    throw new Error(
      `onnx import: ${a.label}: cast to data type ${to} is not supported (float, double, int32, int64, bool)`,
    );
  },
  ConstantOfShape: (inputs, a, device) => {
    const shape = hostOf(inputs[0], a, 'input').values;
    const t = a.tensor('value');
    const value = t === undefined ? fromArray(new Float32Array([0]), [1]) : decodeTensor(t, device);
    const count = shape.reduce((p, q) => p * q, 1);
    if (isHost(value))
      return [{ host: true, dims: shape, values: new Array<number>(count).fill(value.values[0] ?? 0) }];
    return [full(shape, scalarOf(value, a, 'value'), { dtype: value.dtype, device })];
  },
  Expand: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'input');
    const shape = hostOf(inputs[1], a, 'shape').values;
    // Both ways broadcast, as numpy: the output has the larger of each aligned pair of dims.
    const rank = Math.max(x.ndim, shape.length);
    const out = Array.from({ length: rank }, (_, i) => {
      const p = x.shape[i - rank + x.ndim] ?? 1;
      const q = shape[i - rank + shape.length] ?? 1;
      if (p !== q && p !== 1 && q !== 1)
        throw new Error(`onnx import: ${a.label}: shape [${x.shape}] cannot expand to [${shape}]`);
      return Math.max(p, q);
    });
    return [x.reshape([...new Array<number>(rank - x.ndim).fill(1), ...x.shape]).expand(out)];
  },
  Trilu: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'input');
    const k = inputs[1] === undefined ? 0 : (hostOf(inputs[1], a, 'k').values[0] ?? 0);
    return [a.int('upper', 1) === 1 ? x.triu(k) : x.tril(k)];
  },
  Range: (inputs, a) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => inputs[i]);
    if ([start, limit, delta].every((v) => v !== undefined && isHost(v))) {
      const [p, q, d] = [start, limit, delta].map((v) => (v as HostInts).values[0]!) as [number, number, number];
      const n = Math.max(Math.ceil((q - p) / d), 0);
      return [{ host: true, dims: [n], values: Array.from({ length: n }, (_, i) => p + i * d) }];
    }
    const [p, q, d] = [start, limit, delta].map((v, i) => scalarOf(v, a, ['start', 'limit', 'delta'][i]!));
    return [arange(p!, q!, d!, { device: a.device })];
  },
  Pow: two((x, y) => x.pow(y)),
  MatMul: two((x, y) => x.matmul(y)),
  Clip: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'input');
    const bound = (v: Value | undefined) => (v === undefined ? null : scalarOf(v, a, 'bound'));
    return [x.clamp(bound(inputs[1]), bound(inputs[2]))];
  },
  Gemm: (inputs, a) => {
    let x = tensorOf(inputs[0], a, 'A');
    let w = tensorOf(inputs[1], a, 'B');
    if (a.int('transA', 0) === 1) x = x.t();
    if (a.int('transB', 0) === 1) w = w.t();
    let y = x.matmul(w);
    const alpha = a.float('alpha', 1);
    if (alpha !== 1) y = y.mul(alpha);
    if (inputs[2] !== undefined) {
      const beta = a.float('beta', 1);
      const c = tensorOf(inputs[2], a, 'C');
      y = y.add(beta === 1 ? c : c.mul(beta));
    }
    return [y];
  },
  Conv: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'X');
    const weight = tensorOf(inputs[1], a, 'W');
    const b = inputs[2] === undefined ? null : tensorOf(inputs[2], a, 'B');
    const spatial = weight.ndim - 2;
    if (spatial !== 1 && spatial !== 2)
      throw new Error(`onnx import: ${a.label}: ${spatial}-D convolution is not supported (1-D and 2-D)`);
    const w = windowOf(a, x, a.ints('kernel_shape') ?? weight.shape.slice(2));
    // Uneven pads are written into the input as zeros; even ones are the conv's own padding.
    const input = w.even ? x : padSpatial(x, w.begin, w.end, 0);
    const padding = w.even ? w.begin : w.begin.map(() => 0);
    const groups = a.int('group', 1);
    if (spatial === 2)
      return [
        F.conv2d(input, weight, b, {
          stride: w.stride as [number, number],
          padding: padding as [number, number],
          dilation: w.dilation as [number, number],
          groups,
        }),
      ];
    return [
      F.conv1d(input, weight, b, { stride: w.stride[0]!, padding: padding[0]!, dilation: w.dilation[0]!, groups }),
    ];
  },
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: one((x) => x.mean([...x.shape.keys()].slice(2), true)),
  BatchNormalization: (inputs, a) => {
    const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => tensorOf(inputs[i], a, `#${i}`));
    return [F.batchNorm(x!, mean!, variance!, scale!, bias!, { eps: a.float('epsilon', 1e-5) })];
  },
  InstanceNormalization: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'input');
    const scale = tensorOf(inputs[1], a, 'scale');
    const bias = tensorOf(inputs[2], a, 'B');
    // Statistics per sample and channel over the spatial dims (biased variance, as ONNX).
    const dims = [...x.shape.keys()].slice(2);
    const centred = x.sub(x.mean(dims, true));
    const normalized = centred.div(centred.pow(2).mean(dims, true).add(a.float('epsilon', 1e-5)).sqrt());
    const perChannel = [-1, ...dims.map(() => 1)];
    return [normalized.mul(scale.reshape(perChannel)).add(bias.reshape(perChannel))];
  },
  LayerNormalization: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'X');
    const axis = normalize(a.int('axis', -1), x.ndim);
    const scale = tensorOf(inputs[1], a, 'Scale');
    const bias = inputs[2] === undefined ? null : tensorOf(inputs[2], a, 'B');
    return [F.layerNorm(x, x.shape.slice(axis), scale, bias, a.float('epsilon', 1e-5))];
  },
  Flatten: one((x, a) => {
    const axis = normalize(a.int('axis', 1), x.ndim);
    const outer = x.shape.slice(0, axis).reduce((p, s) => p * s, 1);
    return x.reshape([outer, -1]);
  }),
  Reshape: (inputs, a) => {
    const shape = hostOf(inputs[1], a, 'shape').values;
    const v = inputs[0];
    if (v !== undefined && isHost(v)) {
      const dims = shape.map((s, i) => (s === 0 && a.int('allowzero', 0) === 0 ? v.dims[i]! : s));
      const known = dims.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      return [{ host: true, dims: dims.map((d) => (d === -1 ? v.values.length / known : d)), values: v.values }];
    }
    const x = tensorOf(v, a, 'data');
    // A 0 copies the input's dim, unless allowzero makes it a dim of size 0.
    if (a.int('allowzero', 0) === 1) return [x.reshape(shape)];
    return [x.reshape(shape.map((s, i) => (s === 0 ? x.shape[i]! : s)))];
  },
  Transpose: (inputs, a) => {
    const v = inputs[0];
    const rank = v === undefined ? 0 : isHost(v) ? v.dims.length : v.ndim;
    const perm = a.ints('perm') ?? [...Array(rank).keys()].reverse();
    if (v !== undefined && isHost(v)) {
      const dims = perm.map((p) => v.dims[p]!);
      return [
        hostRearranged(v, dims, (at) => {
          const source = new Array<number>(rank);
          for (const [i, p] of perm.entries()) source[p] = at[i]!;
          return source;
        }),
      ];
    }
    return [tensorOf(v, a, 'data').permute(perm)];
  },
  Unsqueeze: (inputs, a) => {
    const axes = hostOf(inputs[1], a, 'axes').values;
    const v = inputs[0];
    if (v !== undefined && isHost(v)) {
      const dims = [...v.dims];
      for (const ax of [...axes].map((d) => normalize(d, v.dims.length + axes.length)).sort((p, q) => p - q))
        dims.splice(ax, 0, 1);
      return [{ host: true, dims, values: v.values }];
    }
    let x = tensorOf(v, a, 'data');
    const rank = x.ndim + axes.length;
    for (const ax of axes.map((d) => normalize(d, rank)).sort((p, q) => p - q)) x = x.unsqueeze(ax);
    return [x];
  },
  Squeeze: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'data');
    const axes = inputs[1] === undefined ? undefined : hostOf(inputs[1], a, 'axes').values;
    return [axes === undefined ? x.squeeze() : x.squeeze(axes.map((d) => normalize(d, x.ndim)))];
  },
  Shape: (inputs, a) => {
    const v = inputs[0];
    if (v === undefined) throw new Error(`onnx import: ${a.label} is missing its input`);
    const full = isHost(v) ? v.dims : [...v.shape];
    const clampAxis = (d: number) => Math.min(Math.max(d < 0 ? d + full.length : d, 0), full.length);
    const shape = full.slice(clampAxis(a.int('start', 0)), clampAxis(a.int('end', full.length)));
    return [{ host: true, dims: [shape.length], values: shape }];
  },
  Gather: (inputs, a) => {
    const data = inputs[0];
    const axis = a.int('axis', 0);
    const index = inputs[1];
    if (data !== undefined && isHost(data) && index !== undefined && isHost(index) && data.dims.length === 1) {
      // Shape arithmetic (x.size(0) in torch's exports) stays on the host.
      const n = data.values.length;
      return [{ host: true, dims: index.dims, values: index.values.map((i) => data.values[i < 0 ? i + n : i]!) }];
    }
    const x = tensorOf(data, a, 'data');
    const ax = normalize(axis, x.ndim);
    if (index !== undefined && !isHost(index)) {
      // A tensor of indices (an Embedding's tokens) stays on the device: no readback.
      const picked = x.indexSelect(ax, index.reshape([-1]));
      return [picked.reshape([...x.shape.slice(0, ax), ...index.shape, ...x.shape.slice(ax + 1)])];
    }
    const idx = hostOf(index, a, 'indices');
    const flat = fromArray(
      Int32Array.from(idx.values, (i) => (i < 0 ? i + x.shape[ax]! : i)),
      [idx.values.length],
      { dtype: 'int32', device: x.device },
    );
    const picked = x.indexSelect(ax, flat);
    return [picked.reshape([...x.shape.slice(0, ax), ...idx.dims, ...x.shape.slice(ax + 1)])];
  },
  Concat: (inputs, a) => {
    const axis = a.int('axis', 0);
    const values = inputs.filter((v): v is Value => v !== undefined);
    if (values.every(isHost) && values.every((v) => v.dims.length === 1)) {
      const all = values.flatMap((v) => v.values);
      return [{ host: true, dims: [all.length], values: all }];
    }
    const tensors = values.map((v) => tensorOf(v, a, 'input'));
    return [cat(tensors, axis)];
  },
  Pad: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'data');
    let pads = hostOf(inputs[1], a, 'pads').values;
    if (inputs[3] !== undefined) {
      // opset 18's axes: the pads name only these dims ([begin..., end...] over them).
      const axes = hostOf(inputs[3], a, 'axes').values.map((d) => normalize(d, x.ndim));
      const full = new Array<number>(2 * x.ndim).fill(0);
      for (const [i, axis] of axes.entries()) {
        full[axis] = pads[i]!;
        full[axis + x.ndim] = pads[i + axes.length]!;
      }
      pads = full;
    }
    const value = inputs[2] === undefined ? 0 : scalarOf(inputs[2], a, 'constant_value');
    const modes: Record<string, 'constant' | 'reflect' | 'replicate'> = {
      constant: 'constant',
      reflect: 'reflect',
      edge: 'replicate',
    };
    const mode = modes[a.string('mode') ?? 'constant'];
    if (mode === undefined) throw new Error(`onnx import: ${a.label}: mode ${a.string('mode')} is not supported`);
    // ONNX: [begin of each dim..., end of each dim...]; Flint (as PyTorch): last dim first, (begin, end) pairs.
    const r = x.ndim;
    const padding = Array.from({ length: r }, (_, i) => [pads[r - 1 - i]!, pads[2 * r - 1 - i]!]).flat();
    while (padding.length > 0 && padding[padding.length - 1] === 0 && padding[padding.length - 2] === 0)
      padding.splice(-2, 2);
    return [padding.length === 0 ? x : F.pad(x, padding, mode, value)];
  },
  Slice: (inputs, a) => {
    const data = inputs[0];
    const starts = hostOf(inputs[1], a, 'starts').values;
    const ends = hostOf(inputs[2], a, 'ends').values;
    const axes = inputs[3] === undefined ? starts.map((_, i) => i) : hostOf(inputs[3], a, 'axes').values;
    const steps = inputs[4] === undefined ? starts.map(() => 1) : hostOf(inputs[4], a, 'steps').values;
    if (steps.some((st) => st === 0)) throw new Error(`onnx import: ${a.label}: a step of 0`);
    if (data !== undefined && isHost(data)) {
      // A slice of a shape (x.shape[:-1] in torch, its pads arithmetic) stays on the host.
      const ranges = data.dims.map((size) => ({ first: 0, count: size, step: 1 }));
      for (const [i, ax] of axes.entries())
        ranges[normalize(ax, data.dims.length)] = sliceRange(
          data.dims[normalize(ax, data.dims.length)]!,
          starts[i]!,
          ends[i]!,
          steps[i]!,
        );
      return [
        hostRearranged(
          data,
          ranges.map((r) => r.count),
          (at) => at.map((j, d) => ranges[d]!.first + j * ranges[d]!.step),
        ),
      ];
    }
    const x = tensorOf(data, a, 'data');
    let y = x;
    for (const [i, ax] of axes.entries()) {
      const axis = normalize(ax, x.ndim);
      const { first, count, step } = sliceRange(x.shape[axis]!, starts[i]!, ends[i]!, steps[i]!);
      if (count === 0) y = y.slice(axis, 0, 0);
      else if (step > 0) y = y.slice(axis, first, first + (count - 1) * step + 1, step);
      else {
        // A negative step walks the reversed dim forward: index j is dim - 1 - j there.
        const back = x.shape[axis]! - 1 - first;
        y = y.flip(axis).slice(axis, back, back + (count - 1) * -step + 1, -step);
      }
    }
    return [y];
  },
  GatherElements: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'data');
    const index = tensorOf(inputs[1], a, 'indices');
    return [x.gather(normalize(a.int('axis', 0), x.ndim), index)];
  },
  RNN: recurrent('RNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  ConvTranspose: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'X');
    const weight = tensorOf(inputs[1], a, 'W');
    const b = inputs[2] === undefined ? null : tensorOf(inputs[2], a, 'B');
    const n = weight.ndim - 2;
    if (n !== 1 && n !== 2)
      throw new Error(`onnx import: ${a.label}: ${n}-D transposed convolution is not supported (1-D and 2-D)`);
    if (x.ndim !== n + 2)
      throw new Error(`onnx import: ${a.label}: input of shape [${x.shape}] for a ${n}-D kernel (expected ${n + 2}-D)`);
    const kernel = a.ints('kernel_shape') ?? weight.shape.slice(2);
    const ones = kernel.map(() => 1);
    const stride = a.ints('strides') ?? ones;
    const dilation = a.ints('dilations') ?? ones;
    const groups = a.int('group', 1);
    const outputPadding = a.ints('output_padding') ?? kernel.map(() => 0);
    const outputShape = a.ints('output_shape')?.slice(-n);
    const autoPad = a.string('auto_pad') ?? 'NOTSET';
    // The output every input element reaches, before pads are cut and output_padding is added.
    const full = kernel.map((k, i) => stride[i]! * (x.shape[i + 2]! - 1) + (k - 1) * dilation[i]! + 1);
    let begin: number[];
    let end: number[];
    if (outputShape !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      // The output is output_shape (SAME: input * stride); the total padding that leaves it is
      // split with the odd unit at the beginning, except for SAME_UPPER (ONNX's ConvTranspose).
      const target = outputShape ?? kernel.map((_, i) => x.shape[i + 2]! * stride[i]!);
      const total = full.map((f, i) => f + outputPadding[i]! - target[i]!);
      const half = total.map((t) => Math.floor(t / 2));
      begin = autoPad === 'SAME_UPPER' ? half : total.map((t, i) => t - half[i]!);
      end = total.map((t, i) => t - begin[i]!);
    } else if (autoPad === 'VALID' || autoPad === 'NOTSET') {
      const pads = autoPad === 'VALID' ? undefined : a.ints('pads');
      begin = pads?.slice(0, n) ?? kernel.map(() => 0);
      end = pads?.slice(n) ?? kernel.map(() => 0);
      if (pads !== undefined && pads.length !== 2 * n)
        throw new Error(`onnx import: ${a.label}: pads [${pads}] must hold ${2 * n} values for a ${n}-D kernel`);
    } else {
      throw new Error(
        `onnx import: ${a.label}: auto_pad ${autoPad} is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`,
      );
    }
    const even = begin.every((p, i) => p === end[i] && p >= 0);
    // Flint's (PyTorch's) output_padding must be smaller than the stride or the dilation.
    const paddable = outputPadding.every((p, i) => p < Math.max(stride[i]!, dilation[i]!));
    if (even && paddable) {
      if (n === 2)
        return [
          F.convTranspose2d(x, weight, b, {
            stride: stride as [number, number],
            padding: begin as [number, number],
            outputPadding: outputPadding as [number, number],
            dilation: dilation as [number, number],
            groups,
          }),
        ];
      return [
        F.convTranspose1d(x, weight, b, {
          stride: stride[0]!,
          padding: begin[0]!,
          outputPadding: outputPadding[0]!,
          dilation: dilation[0]!,
          groups,
        }),
      ];
    }
    // Otherwise the full output is cut to [begin, full + output_padding - end) per dim; what lies
    // past it (output_padding, negative pads) holds no input contribution, only the bias.
    let y =
      n === 2
        ? F.convTranspose2d(x, weight, null, {
            stride: stride as [number, number],
            dilation: dilation as [number, number],
            groups,
          })
        : F.convTranspose1d(x, weight, null, { stride: stride[0]!, dilation: dilation[0]!, groups });
    const lows: number[] = [];
    const highs: number[] = [];
    for (let i = 0; i < n; i++) {
      const lo = begin[i]!;
      const hi = full[i]! + outputPadding[i]! - end[i]!;
      if (hi <= lo) throw new Error(`onnx import: ${a.label}: pads [${begin}, ${end}] leave no output`);
      y = y.slice(i + 2, Math.max(lo, 0), Math.min(hi, full[i]!));
      lows.push(Math.max(-lo, 0));
      highs.push(Math.max(hi - full[i]!, 0));
    }
    y = padSpatial(y, lows, highs, 0);
    return [b === null ? y : y.add(b.reshape([-1, ...ones]))];
  },
  Resize: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'X');
    const spatial = x.ndim - 2;
    const mode = a.string('mode') ?? 'nearest';
    const transform = a.string('coordinate_transformation_mode') ?? 'half_pixel';
    const fail = (why: string): never => {
      throw new Error(`onnx import: ${a.label}: ${why}`);
    };
    if (spatial !== 1 && spatial !== 2) fail(`input of shape [${x.shape}] (Resize of 1-D and 2-D images only)`);
    if (a.ints('axes') !== undefined) fail('the axes attribute is not supported');
    if (a.int('antialias', 0) !== 0 || a.int('exclude_outside', 0) !== 0)
      fail('antialias and exclude_outside are not supported');
    // The ONNX modes that are F.interpolate's (PyTorch's) own coordinate mappings.
    let flintMode: InterpolateMode;
    let alignCorners: boolean | undefined;
    if (mode === 'nearest') {
      const nearest = a.string('nearest_mode') ?? 'round_prefer_floor';
      if (transform === 'asymmetric' && nearest === 'floor') flintMode = 'nearest';
      else if (transform === 'half_pixel' && nearest === 'round_prefer_ceil') flintMode = 'nearest-exact';
      else
        fail(
          `nearest with ${transform} and ${nearest} is not supported (asymmetric with floor, or half_pixel with round_prefer_ceil)`,
        );
    } else if (mode === 'linear' || mode === 'cubic') {
      if (transform === 'align_corners') alignCorners = true;
      else if (transform === 'pytorch_half_pixel' || transform === 'half_pixel') alignCorners = false;
      else fail(`${mode} with ${transform} is not supported (half_pixel, pytorch_half_pixel or align_corners)`);
      if (mode === 'cubic' && a.float('cubic_coeff_a', -0.75) !== -0.75) fail('cubic_coeff_a other than -0.75');
      if (mode === 'cubic' && spatial !== 2) fail('cubic resizing of 1-D input');
      flintMode = mode === 'cubic' ? 'bicubic' : spatial === 2 ? 'bilinear' : 'linear';
    } else {
      fail(`mode ${mode} is not supported`);
    }
    // sizes or scales name every dim; the batch and channel dims must stay as they are.
    const spatialOf = (values: number[], what: string, keep: [number, number]) => {
      if (values.length !== x.ndim) fail(`${what} [${values}] do not name every dim of [${x.shape}]`);
      if (values[0] !== keep[0] || values[1] !== keep[1])
        fail(`${what} [${values}] resize the batch or channel dim of [${x.shape}]`);
      return values.slice(2);
    };
    const options: InterpolateOptions = { mode: flintMode!, alignCorners };
    const [scalesInput, sizesInput] = [inputs[2], inputs[3]];
    const scales = scalesInput === undefined ? [] : hostOf(scalesInput, a, 'scales').values;
    if (sizesInput !== undefined)
      options.size = spatialOf(hostOf(sizesInput, a, 'sizes').values, 'sizes', [x.shape[0]!, x.shape[1]!]);
    else if (scales.length > 0) options.scaleFactor = spatialOf(scales, 'scales', [1, 1]);
    else fail('neither scales nor sizes is given');
    return [F.interpolate(x, options)];
  },
  ReduceMean: reduce('mean'),
  ReduceSum: reduce('sum'),
  ReduceMax: reduce('max'),
  ReduceMin: reduce('min'),
  ReduceProd: reduce('prod'),
  ReduceLogSumExp: reduce('logsumexp'),
  ArgMax: argReduce('max'),
  ArgMin: argReduce('min'),
  Xor: two((x, y) => asBool(x).logicalXor(asBool(y))),
  Sum: variadic((x, y) => x.add(y)),
  Mean: (inputs, a) => {
    const tensors = inputs.filter((v): v is Value => v !== undefined).map((v) => tensorOf(v, a, 'input'));
    return [
      tensors
        .slice(1)
        .reduce((p, q) => p.add(q), tensors[0]!)
        .div(tensors.length),
    ];
  },
  Split: (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'input');
    const axis = normalize(a.int('axis', 0), x.ndim);
    const given = inputs[1] === undefined ? a.ints('split') : hostOf(inputs[1], a, 'split').values;
    let sizes = given;
    if (sizes === undefined) {
      // Equal pieces: num_outputs (opset 18), else one per output; the last may be smaller.
      const count = a.int('num_outputs', 0) || a.outputCount;
      const piece = Math.ceil(x.shape[axis]! / count);
      sizes = Array.from({ length: count }, (_, i) => Math.min(piece, x.shape[axis]! - i * piece));
    }
    if (sizes.reduce((p, q) => p + q, 0) !== x.shape[axis])
      throw new Error(`onnx import: ${a.label}: split sizes [${sizes}] do not add up to dim ${axis} of [${x.shape}]`);
    return x.split(sizes, axis);
  },
  Tile: (inputs, a) => [tensorOf(inputs[0], a, 'input').tile(hostOf(inputs[1], a, 'repeats').values)],
  Size: (inputs, a) => {
    const v = inputs[0];
    if (v === undefined) throw new Error(`onnx import: ${a.label} is missing its input`);
    const shape = isHost(v) ? v.dims : v.shape;
    return [{ host: true, dims: [], values: [shape.reduce((p, q) => p * q, 1)] }];
  },
  GlobalMaxPool: one((x) => x.amax([...x.shape.keys()].slice(2), true)),
  HardSigmoid: one((x, a) => x.mul(a.float('alpha', 0.2)).add(a.float('beta', 0.5)).clamp(0, 1)),
  HardSwish: one((x) => F.hardswish(x)),
  // ONNX's defaults (float32 values, as doubles).
  Selu: one((x, a) => {
    const alpha = a.float('alpha', 1.6732631921768188);
    const gamma = a.float('gamma', 1.0507010221481323);
    return where(x.gt(0), x, x.exp().sub(1).mul(alpha)).mul(gamma);
  }),
  Celu: one((x, a) => F.celu(x, a.float('alpha', 1))),
  Softsign: one((x) => x.div(x.abs().add(1))),
  Mish: one((x) => F.mish(x)),
  ThresholdedRelu: one((x, a) => x.mul(x.gt(a.float('alpha', 1)).float())),
  PRelu: two((x, slope) => where(x.lt(0), x.mul(slope), x)),
  Gelu: one((x, a) => F.gelu(x, (a.string('approximate') ?? 'none') as 'none' | 'tanh')),
};

function recurrent(opType: 'RNN' | 'LSTM' | 'GRU'): Kernel {
  return (inputs, a) => {
    const optional = (i: number, what: string) => (inputs[i] === undefined ? null : tensorOf(inputs[i], a, what));
    const floats = (name: string) => a.floats(name);
    const clip = a.has('clip') ? a.float('clip', 0) : undefined;
    return runRecurrent({
      opType,
      x: tensorOf(inputs[0], a, 'X'),
      w: tensorOf(inputs[1], a, 'W'),
      r: tensorOf(inputs[2], a, 'R'),
      b: optional(3, 'B'),
      sequenceLens: optional(4, 'sequence_lens'),
      initialH: optional(5, 'initial_h'),
      initialC: optional(6, 'initial_c'),
      peepholes: optional(7, 'P'),
      hiddenSize: a.int('hidden_size', 0),
      direction: a.string('direction') ?? 'forward',
      activations: a.strings('activations'),
      activationAlpha: floats('activation_alpha'),
      activationBeta: floats('activation_beta'),
      clip,
      inputForget: a.int('input_forget', 0),
      linearBeforeReset: a.int('linear_before_reset', 0),
      layout: a.int('layout', 0),
      label: a.label,
    });
  };
}

function reduce(kind: 'mean' | 'sum' | 'max' | 'min' | 'prod' | 'logsumexp'): Kernel {
  return (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'data');
    const axesValue = inputs[1] === undefined ? a.ints('axes') : hostOf(inputs[1], a, 'axes').values;
    const keep = a.int('keepdims', 1) === 1;
    if ((axesValue === undefined || axesValue.length === 0) && a.int('noop_with_empty_axes', 0) === 1) return [x];
    const axes =
      axesValue === undefined || axesValue.length === 0
        ? [...x.shape.keys()]
        : axesValue.map((d) => normalize(d, x.ndim));
    if (kind === 'mean') return [x.mean(axes, keep)];
    if (kind === 'sum') return [x.sum(axes, keep)];
    if (kind === 'max') return [x.amax(axes, keep)];
    if (kind === 'min') return [x.amin(axes, keep)];
    if (kind === 'logsumexp') return [x.logsumexp(axes, keep)];
    // prod reduces one dim at a time, from the last so the remaining axes keep their places.
    let y = x;
    for (const axis of [...axes].sort((p, q) => q - p)) y = y.prod(axis, keep);
    return [y];
  };
}

/** ArgMax/ArgMin: int32 indices (ONNX's are int64); select_last_index picks the last of equal values. */
function argReduce(kind: 'max' | 'min'): Kernel {
  return (inputs, a) => {
    const x = tensorOf(inputs[0], a, 'data');
    const axis = normalize(a.int('axis', 0), x.ndim);
    const keep = a.int('keepdims', 1) === 1;
    const pick = (t: Tensor) => (kind === 'max' ? t.argmax(axis, keep) : t.argmin(axis, keep));
    if (a.int('select_last_index', 0) === 0) return [pick(x)];
    // The first extremum of the reversed dim is the last one of the original.
    return [
      pick(x.flip(axis))
        .neg()
        .add(x.shape[axis]! - 1),
    ];
  };
}

/** A module running an ONNX graph with Flint ops; initializers are its buffers. */
export class OnnxModule extends nn.Module {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly graphNodes: readonly NodeProto[];
  private readonly device: string | undefined;
  private readonly constants = new Map<string, Value>();
  /** Buffer name (dots as underscores, as module attribute names cannot hold dots) by initializer name. */
  private readonly bufferNames = new Map<string, string>();

  constructor(graph: GraphProto, options: ImportOptions = {}) {
    super();
    const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    for (const t of graph.initializer ?? []) {
      const name = t.name ?? '';
      const value = decodeTensor(t, options.device);
      if (isHost(value)) {
        this.constants.set(name, value);
        continue;
      }
      const bufferName = name.replace(/[.]/g, '_');
      if (this.bufferNames.has(bufferName))
        throw new Error(`onnx import: two initializers map to buffer '${bufferName}'`);
      this.bufferNames.set(name, bufferName);
      this.registerBuffer(bufferName, value);
    }
    this.inputNames = graph.input.map((v) => v.name).filter((n) => !initializerNames.has(n));
    this.outputNames = graph.output.map((v) => v.name);
    for (const node of graph.node) {
      if (node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx')
        throw new Error(
          `onnx import: node '${node.name ?? ''}' is in domain '${node.domain}', not the default ONNX domain`,
        );
      if (KERNELS[node.opType] === undefined)
        throw new Error(
          `onnx import: node '${node.name ?? ''}' has op type ${node.opType}, which Flint does not import (supported: ${Object.keys(KERNELS).sort().join(', ')})`,
        );
    }
    this.graphNodes = graph.node;
    this.device = options.device;
  }

  /** Run the graph on `inputs` (one per graph input, in order); one output is a Tensor, several an array. */
  override forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.inputNames.length)
      throw new Error(
        `onnx import: the graph takes ${this.inputNames.length} inputs (${this.inputNames.join(', ')}), got ${inputs.length}`,
      );
    // The graph runs where its inputs are (the import's device when it has none).
    const device = inputs[0]?.device ?? this.device;
    return tidy(() => {
      const env = new Map<string, Value>(this.constants);
      for (const [name, buffer] of this.bufferNames) env.set(name, this.getBuffer(buffer)!);
      for (const [i, name] of this.inputNames.entries()) env.set(name, inputs[i]!);
      for (const node of this.graphNodes) {
        const args = node.input.map((name) => {
          if (name === '') return undefined;
          const v = env.get(name);
          if (v === undefined)
            throw new Error(`onnx import: node '${node.name ?? ''}' reads '${name}', which no earlier node wrote`);
          return v;
        });
        const outs = KERNELS[node.opType]!(args, new Attrs(node, device), device);
        for (const [i, name] of node.output.entries())
          if (name !== '' && outs[i] !== undefined) env.set(name, outs[i]!);
      }
      const results = this.outputNames.map((name) => {
        const v = env.get(name);
        if (v === undefined) throw new Error(`onnx import: graph output '${name}' was never written`);
        return isHost(v) ? fromArray(Int32Array.from(v.values), v.dims, { dtype: 'int32', device }) : v;
      });
      return results.length === 1 ? results[0]! : results;
    });
  }

  private getBuffer(name: string): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>)[name] ?? null;
  }
}

/** Load the ONNX model in `bytes` as a Flint module (in eval mode). */
export function importModel(bytes: Uint8Array, options: ImportOptions = {}): OnnxModule {
  const model = decodeModel(bytes);
  if (model.graph === undefined) throw new Error('onnx import: the model has no graph');
  const opset = model.opsetImport?.find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx');
  const version = int(opset?.version);
  if (version < 13) throw new Error(`onnx import: opset ${version} is not supported (13 or later)`);
  return new OnnxModule(model.graph, options).eval();
}
