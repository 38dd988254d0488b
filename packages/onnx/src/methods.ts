/**
 * Tensor methods the exporter traces in functional code (a forward's `x.flatten(1)`, `a.add(b)`):
 * each emits the ONNX nodes for one call from its arguments and result.
 */
import { type DType, type MaxMinResult, Tensor } from '@flint/core';
import { type GraphBuilder, onnxType } from './graph.js';
import { flattenShape, reshapeTo } from './modules.js';
import { DataType } from './proto/index.js';
import { type TraceState, where } from './trace-state.js';

/** x.index's argument forms (core's subscript IndexSpec). */
type IndexSpec = number | null | '...' | 'newaxis' | readonly (number | null | undefined)[] | Tensor;

type MethodEmit = (state: TraceState, self: Tensor, args: unknown[], result: Tensor) => void;

const normalize = (d: number, ndim: number): number => (d < 0 ? d + ndim : d);

/** A Tensor argument's value, or a scalar constant of the tensor's dtype. */
function operand(state: TraceState, self: Tensor, v: unknown): string {
  if (v instanceof Tensor) return state.graph.value(v);
  if (typeof v !== 'number') throw new Error(`onnx export: an operand ${String(v)} is neither a Tensor nor a number`);
  if (self.dtype !== 'float32')
    throw new Error(`onnx export: a scalar operand on a ${self.dtype} tensor is not supported`);
  return state.graph.constant([v], 'float32', []);
}

function binary(opType: string): MethodEmit {
  return (state, self, args, result) => {
    const [other, alpha] = args;
    let b = operand(state, self, other);
    if (typeof alpha === 'number' && alpha !== 1)
      b = state.graph.node('Mul', [b, state.graph.constant([alpha], 'float32', [])]);
    state.graph.bind(result, state.graph.node(opType, [state.graph.value(self), b]));
  };
}

function unary(opType: string): MethodEmit {
  return (state, self, _args, result) => state.graph.bind(result, state.graph.node(opType, [state.graph.value(self)]));
}

const reshape: MethodEmit = (state, self, _args, result) =>
  state.graph.bind(result, reshapeTo(state.graph, self, result.shape));

/** The axes a reduction's dim argument names (all dims when none is given). */
function reductionAxes(self: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  const dims = dim === undefined || dim === null ? [...self.shape.keys()] : typeof dim === 'number' ? [dim] : [...dim];
  return dims.map((d) => normalize(d, self.ndim));
}

/** sum/mean/amax/amin/logsumexp over dims (all dims when none given), keepdim as PyTorch's. */
function reduce(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp'): MethodEmit {
  return (state, self, args, result) => {
    const [dim, keepdim] = args as [number | readonly number[] | null | undefined, boolean | undefined];
    const g = state.graph;
    g.bind(result, g.reduce(opType, g.value(self), reductionAxes(self, dim), keepdim === true));
  };
}

/** ArgMax/ArgMin as Flint's int32 indices; over the flattened tensor when no dim is given. */
function argReduce(
  g: GraphBuilder,
  opType: 'ArgMax' | 'ArgMin',
  self: Tensor,
  dim: number | null | undefined,
  keepdim: boolean,
): string {
  if (dim === undefined || dim === null) {
    const flat = g.node('Reshape', [g.value(self), g.constant([-1], 'int64')]);
    const index = g.node('Cast', [g.node(opType, [flat], { axis: 0, keepdims: 0 })], { to: DataType.INT32 });
    return keepdim ? g.node('Reshape', [index, g.constant(new Array(self.ndim).fill(1), 'int64')]) : index;
  }
  const axis = normalize(dim, self.ndim);
  return g.node('Cast', [g.node(opType, [g.value(self)], { axis, keepdims: keepdim ? 1 : 0 })], {
    to: DataType.INT32,
  });
}

function argMethod(opType: 'ArgMax' | 'ArgMin'): MethodEmit {
  return (state, self, args, result) => {
    const [dim, keepdim] = args as [number | null | undefined, boolean | undefined];
    state.graph.bind(result, argReduce(state.graph, opType, self, dim, keepdim === true));
  };
}

/** max()/min() (all values) or max(dim, keepdim)/min(dim, keepdim) -> { values, indices }. */
function maxMin(reduceOp: 'ReduceMax' | 'ReduceMin', argOp: 'ArgMax' | 'ArgMin'): MethodEmit {
  return (state, self, args, result) => {
    const [dim, keepdim] = args as [number | undefined, boolean | undefined];
    const g = state.graph;
    if (dim === undefined) {
      g.bind(result, g.reduce(reduceOp, g.value(self), [...self.shape.keys()], false));
      return;
    }
    const { values, indices } = result as unknown as MaxMinResult;
    g.bind(values, g.reduce(reduceOp, g.value(self), [normalize(dim, self.ndim)], keepdim === true));
    g.bind(indices, argReduce(g, argOp, self, dim, keepdim === true));
  };
}

/** `value` (of dtype `from`) in dtype `to`: a Cast when they differ. */
function castTo(g: GraphBuilder, value: string, from: DType, to: DType): string {
  return from === to ? value : g.node('Cast', [value], { to: onnxType({ dtype: to }) });
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

/**
 * The two operands of a comparison or maximum/minimum in their common dtype, as core promotes
 * them: a scalar takes the tensor's dtype unless it is fractional (then float32); bool with an
 * integer scalar is int32.
 */
function promoted(g: GraphBuilder, self: Tensor, other: unknown): { a: string; b: string } {
  if (other instanceof Tensor) {
    const dtype = RANK[self.dtype] >= RANK[other.dtype] ? self.dtype : other.dtype;
    return { a: castTo(g, g.value(self), self.dtype, dtype), b: castTo(g, g.value(other), other.dtype, dtype) };
  }
  if (typeof other !== 'number')
    throw new Error(`onnx export: an operand ${String(other)} is neither a Tensor nor a number`);
  const dtype: DType =
    self.dtype === 'float32' || !Number.isInteger(other) ? 'float32' : self.dtype === 'bool' ? 'int32' : self.dtype;
  return { a: castTo(g, g.value(self), self.dtype, dtype), b: g.constant([other], dtype, []) };
}

function compare(opType: string, negate = false): MethodEmit {
  return (state, self, args, result) => {
    const g = state.graph;
    const { a, b } = promoted(g, self, args[0]);
    const out = g.node(opType, [a, b]);
    g.bind(result, negate ? g.node('Not', [out]) : out);
  };
}

function extremum(opType: 'Max' | 'Min'): MethodEmit {
  return (state, self, args, result) => {
    const g = state.graph;
    const { a, b } = promoted(g, self, args[0]);
    g.bind(result, g.node(opType, [a, b]));
  };
}

const asBool = (g: GraphBuilder, t: Tensor): string => castTo(g, g.value(t), t.dtype, 'bool');

function logical(opType: 'And' | 'Or' | 'Xor'): MethodEmit {
  return (state, self, args, result) => {
    const g = state.graph;
    g.bind(result, g.node(opType, [asBool(g, self), asBool(g, args[0] as Tensor)]));
  };
}

function castMethod(dtype: DType): MethodEmit {
  return (state, self, _args, result) =>
    state.graph.bind(result, castTo(state.graph, state.graph.value(self), self.dtype, dtype));
}

/** Split along `axis` into pieces of `sizes` (along that axis); the output names. */
function splitInto(g: GraphBuilder, self: Tensor, axis: number, sizes: readonly number[]): string[] {
  const first = g.node('Split', [g.value(self), g.constant(sizes, 'int64')], { axis }, sizes.length);
  return g.outputsOf(first);
}

/** split/chunk: the pieces the call returned, by their sizes along the dim. */
const splitMethod: MethodEmit = (state, self, args, result) => {
  const pieces = result as unknown as Tensor[];
  const axis = normalize((args[1] as number | undefined) ?? 0, self.ndim);
  const values = splitInto(
    state.graph,
    self,
    axis,
    pieces.map((p) => p.shape[axis]!),
  );
  for (const [i, p] of pieces.entries()) state.graph.bind(p, values[i]!);
};

/**
 * x.index(...specs) in the forms ONNX expresses: numbers, null, slices, '...', 'newaxis' and one
 * int32 index tensor (Gather puts its dims where it stands, as PyTorch does when the numbers
 * next to it are adjacent). Bool masks (a value-dependent shape) and several index tensors are an
 * error naming the module.
 */
const indexMethod: MethodEmit = (state, self, args, result) => {
  const g = state.graph;
  const specs = args as IndexSpec[];
  const fail = (why: string): never => {
    throw new Error(`onnx export: x.index(...) in ${where(state)} cannot be exported: ${why}`);
  };
  const tensors = specs.filter((s): s is Tensor => s instanceof Tensor);
  if (tensors.some((t) => t.dtype === 'bool')) fail('a bool mask index (its result shape depends on the values)');
  if (tensors.length > 1) fail('more than one index tensor');
  if (tensors.length === 1) {
    // Numbers are advanced indices too: apart from the tensor, PyTorch moves the result's dims first.
    const at = specs.findIndex((s) => s instanceof Tensor);
    const advanced = specs.flatMap((s, i) => (typeof s === 'number' || i === at ? [i] : []));
    if (advanced[advanced.length - 1]! - advanced[0]! !== advanced.length - 1)
      fail('a number index and an index tensor separated by another index');
  }
  const ellipsis = specs.indexOf('...');
  const consumed = specs.filter((s) => s !== '...' && s !== 'newaxis').length;
  const expanded: IndexSpec[] =
    ellipsis < 0
      ? specs
      : [...specs.slice(0, ellipsis), ...new Array(self.ndim - consumed).fill(null), ...specs.slice(ellipsis + 1)];
  let value = g.value(self);
  let axis = 0; // the axis of the running value that the next spec indexes
  for (const spec of expanded) {
    if (spec === null) {
      axis++;
    } else if (spec === 'newaxis') {
      value = g.node('Unsqueeze', [value, g.constant([axis], 'int64')]);
      axis++;
    } else if (typeof spec === 'number') {
      // Negative indices count from the running size, as Gather counts them.
      value = g.node('Gather', [value, g.constant([spec], 'int64', [])], { axis });
    } else if (spec instanceof Tensor) {
      value = g.node('Gather', [value, g.value(spec)], { axis });
      axis += spec.ndim;
    } else if (Array.isArray(spec)) {
      const [start, end, step] = spec as [number | null | undefined, number | null | undefined, number | undefined];
      value = g.node('Slice', [
        value,
        g.constant([start ?? 0], 'int64'),
        g.constant([end ?? Number.MAX_SAFE_INTEGER], 'int64'),
        g.constant([axis], 'int64'),
        g.constant([step ?? 1], 'int64'),
      ]);
      axis++;
    } else fail(`the index ${String(spec)}`);
  }
  g.bind(result, value);
};

function softmax(opType: 'Softmax' | 'LogSoftmax'): MethodEmit {
  return (state, self, args, result) =>
    state.graph.bind(
      result,
      state.graph.node(opType, [state.graph.value(self)], { axis: normalize(args[0] as number, self.ndim) }),
    );
}

/** clamp(min?, max?) as Clip; a missing bound is an empty input. */
const clip: MethodEmit = (state, self, args, result) => {
  const g = state.graph;
  const bound = (v: unknown) => (typeof v === 'number' ? g.constant([v], 'float32', []) : '');
  const inputs = [g.value(self), bound(args[0]), bound(args[1])];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  g.bind(result, g.node('Clip', inputs));
};

const permutation = (args: unknown[]): number[] => (Array.isArray(args[0]) ? [...args[0]] : (args as number[]));

const matmul: MethodEmit = (state, self, args, result) =>
  state.graph.bind(result, state.graph.node('MatMul', [state.graph.value(self), state.graph.value(args[0] as Tensor)]));

/** all/any over a dim (or everything) of a tensor read as bool, through int32 reductions. */
function boolReduce(opType: 'ReduceMin' | 'ReduceMax'): MethodEmit {
  return (state, self, args, result) => {
    const [dim, keepdim] = args as [number | null | undefined, boolean | undefined];
    const g = state.graph;
    const asInt = g.node('Cast', [asBool(g, self)], { to: DataType.INT32 });
    const reduced = g.reduce(opType, asInt, reductionAxes(self, dim), keepdim === true);
    g.bind(result, g.node('Cast', [reduced], { to: DataType.BOOL }));
  };
}

/** triu (upper 1) / tril (upper 0) with PyTorch's diagonal offset, as Trilu's k. */
function trilu(upper: 0 | 1): MethodEmit {
  return (state, self, args, result) => {
    const g = state.graph;
    const k = g.constant([(args[0] as number | undefined) ?? 0], 'int64', []);
    g.bind(result, g.node('Trilu', [g.value(self), k], { upper }));
  };
}

/**
 * tile/repeat as Tile: repeats shorter than the tensor's dims get leading 1s (tile), and a tensor
 * with fewer dims than the repeats gets leading size-1 dims (Unsqueeze, so the others stay dynamic).
 */
const tileLike: MethodEmit = (state, self, args, result) => {
  const reps = permutation(args);
  const g = state.graph;
  let x = g.value(self);
  const extra = reps.length - self.ndim;
  if (extra > 0) x = g.node('Unsqueeze', [x, g.constant([...Array(extra).keys()], 'int64')]);
  const full = extra < 0 ? [...new Array(-extra).fill(1), ...reps] : reps;
  g.bind(result, g.node('Tile', [x, g.constant(full, 'int64')]));
};

export const METHODS: Readonly<Record<string, MethodEmit>> = {
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  matmul,
  neg: unary('Neg'),
  abs: unary('Abs'),
  sqrt: unary('Sqrt'),
  log: unary('Log'),
  erf: unary('Erf'),
  pow: binary('Pow'),
  clamp: clip,
  clip,
  // Values, not storage: these are the identity in a graph.
  contiguous: unary('Identity'),
  clone: unary('Identity'),
  detach: unary('Identity'),
  t: (state, self, _args, result) => {
    const value = state.graph.value(self);
    const out =
      self.ndim < 2 ? state.graph.node('Identity', [value]) : state.graph.node('Transpose', [value], { perm: [1, 0] });
    state.graph.bind(result, out);
  },
  exp: unary('Exp'),
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softmax: softmax('Softmax'),
  logSoftmax: softmax('LogSoftmax'),
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  reshape,
  view: reshape,
  flatten: (state, self, args, result) => {
    const [start, end] = args as [number | undefined, number | undefined];
    const target = flattenShape(self.shape, start ?? 0, end ?? -1);
    state.graph.bind(result, reshapeTo(state.graph, self, target));
  },
  squeeze: (state, self, args, result) => {
    const [dim] = args as [number | readonly number[] | undefined];
    const dims =
      dim === undefined
        ? self.shape.flatMap((s, i) => (s === 1 ? [i] : []))
        : typeof dim === 'number'
          ? [dim]
          : [...dim];
    const axes = dims.map((d) => normalize(d, self.ndim)).filter((d) => self.shape[d] === 1);
    const value = state.graph.value(self);
    state.graph.bind(
      result,
      axes.length === 0
        ? state.graph.node('Identity', [value])
        : state.graph.node('Squeeze', [value, state.graph.constant(axes, 'int64')]),
    );
  },
  unsqueeze: (state, self, args, result) => {
    const axis = normalize(args[0] as number, self.ndim + 1);
    state.graph.bind(
      result,
      state.graph.node('Unsqueeze', [state.graph.value(self), state.graph.constant([axis], 'int64')]),
    );
  },
  transpose: (state, self, args, result) => {
    const perm = [...self.shape.keys()];
    const a = normalize(args[0] as number, self.ndim);
    const b = normalize(args[1] as number, self.ndim);
    perm[a] = b;
    perm[b] = a;
    state.graph.bind(result, state.graph.node('Transpose', [state.graph.value(self)], { perm }));
  },
  slice: (state, self, args, result) => {
    const [dimArg, start, end, step] = args as [
      number,
      number | null | undefined,
      number | null | undefined,
      number | undefined,
    ];
    const g = state.graph;
    // ONNX Slice clamps as Python does; a missing end is "to the end" (INT64_MAX).
    const inputs = [
      g.value(self),
      g.constant([start ?? 0], 'int64'),
      g.constant([end ?? Number.MAX_SAFE_INTEGER], 'int64'),
      g.constant([normalize(dimArg, self.ndim)], 'int64'),
      g.constant([step ?? 1], 'int64'),
    ];
    g.bind(result, g.node('Slice', inputs));
  },
  narrow: (state, self, args, result) => {
    const [dimArg, start, length] = args as [number, number, number];
    const dim = normalize(dimArg, self.ndim);
    // A negative start counts from the running end (Slice does too), so it follows a dynamic axis.
    const end = start < 0 && start + length >= 0 ? Number.MAX_SAFE_INTEGER : start + length;
    const g = state.graph;
    const inputs = [
      g.value(self),
      g.constant([start], 'int64'),
      g.constant([end], 'int64'),
      g.constant([dim], 'int64'),
    ];
    g.bind(result, g.node('Slice', inputs));
  },
  gather: (state, self, args, result) => {
    const [dim, index] = args as [number, Tensor];
    const g = state.graph;
    g.bind(result, g.node('GatherElements', [g.value(self), g.value(index)], { axis: normalize(dim, self.ndim) }));
  },
  indexSelect: (state, self, args, result) => {
    const [dim, index] = args as [number, Tensor];
    const g = state.graph;
    g.bind(result, g.node('Gather', [g.value(self), g.value(index)], { axis: normalize(dim, self.ndim) }));
  },
  select: (state, self, args, result) => {
    const dim = normalize(args[0] as number, self.ndim);
    const index = args[1] as number;
    // A scalar index drops the dim, as select does; a negative one counts from the running size
    // (Gather takes negative indices), so x.select(1, -1) follows a dynamic axis.
    const at = state.graph.constant([index], 'int64', []);
    state.graph.bind(result, state.graph.node('Gather', [state.graph.value(self), at], { axis: dim }));
  },
  amax: reduce('ReduceMax'),
  amin: reduce('ReduceMin'),
  max: maxMin('ReduceMax', 'ArgMax'),
  min: maxMin('ReduceMin', 'ArgMin'),
  argmax: argMethod('ArgMax'),
  argmin: argMethod('ArgMin'),
  maximum: extremum('Max'),
  minimum: extremum('Min'),
  eq: compare('Equal'),
  ne: compare('Equal', true),
  lt: compare('Less'),
  le: compare('LessOrEqual'),
  gt: compare('Greater'),
  ge: compare('GreaterOrEqual'),
  logicalNot: (state, self, _args, result) =>
    state.graph.bind(result, state.graph.node('Not', [asBool(state.graph, self)])),
  logicalAnd: logical('And'),
  logicalOr: logical('Or'),
  logicalXor: logical('Xor'),
  float: castMethod('float32'),
  int: castMethod('int32'),
  bool: castMethod('bool'),
  double: castMethod('float32'), // float64 is stored as float32 in Flint
  // int64 is int32 in Flint; a float beyond the int32 range saturates in Flint and not in Cast.
  long: castMethod('int32'),
  typeAs: (state, self, args, result) =>
    state.graph.bind(result, castTo(state.graph, state.graph.value(self), self.dtype, (args[0] as Tensor).dtype)),
  // A dtype is a Cast (PyTorch's 64-bit names stored in 32 bits, as core does); a device is the identity.
  to: (state, self, _args, result) => {
    const g = state.graph;
    g.bind(
      result,
      result.dtype === self.dtype
        ? g.node('Identity', [g.value(self)])
        : castTo(g, g.value(self), self.dtype, result.dtype),
    );
  },
  maskedFill: (state, self, args, result) => {
    const [mask, fill] = args as [Tensor, number];
    const g = state.graph;
    // As core's fill in the tensor's dtype: ints truncate, bool is value != 0.
    const v = self.dtype === 'int32' ? Math.trunc(fill) : self.dtype === 'bool' ? Number(fill !== 0) : fill;
    g.bind(result, g.node('Where', [g.value(mask), g.constant([v], self.dtype, []), g.value(self)]));
  },
  expand: (state, self, _args, result) => {
    // A target dim equal to the input's is written 1, which Expand's broadcasting keeps at the
    // input's running size (a dynamic axis stays dynamic); only the dims that expand are fixed.
    const target = result.shape;
    const lead = target.length - self.ndim;
    const spec = target.map((d, i) => (i >= lead && self.shape[i - lead] === d ? 1 : d));
    const g = state.graph;
    g.bind(result, g.node('Expand', [g.value(self), g.constant(spec, 'int64')]));
  },
  expandAs: (state, self, args, result) => {
    const g = state.graph;
    g.bind(result, g.node('Expand', [g.value(self), g.node('Shape', [g.value(args[0] as Tensor)])]));
  },
  split: splitMethod,
  chunk: splitMethod,
  unbind: (state, self, args, result) => {
    const pieces = result as unknown as Tensor[];
    const axis = normalize((args[0] as number | undefined) ?? 0, self.ndim);
    const g = state.graph;
    const values = splitInto(
      g,
      self,
      axis,
      pieces.map(() => 1),
    );
    for (const [i, p] of pieces.entries()) g.bind(p, g.node('Squeeze', [values[i]!, g.constant([axis], 'int64')]));
  },
  index: indexMethod,
  // More elementwise math, as the same ONNX ops or short compositions.
  sin: unary('Sin'),
  cos: unary('Cos'),
  tan: unary('Tan'),
  asin: unary('Asin'),
  acos: unary('Acos'),
  atan: unary('Atan'),
  sinh: unary('Sinh'),
  cosh: unary('Cosh'),
  floor: unary('Floor'),
  ceil: unary('Ceil'),
  round: unary('Round'), // half to even, as PyTorch's round
  sign: unary('Sign'),
  reciprocal: unary('Reciprocal'),
  rsqrt: (state, self, _args, result) =>
    state.graph.bind(result, state.graph.node('Reciprocal', [state.graph.node('Sqrt', [state.graph.value(self)])])),
  square: (state, self, _args, result) => {
    const x = state.graph.value(self);
    state.graph.bind(result, state.graph.node('Mul', [x, x]));
  },
  log1p: (state, self, _args, result) => {
    const g = state.graph;
    g.bind(result, g.node('Log', [g.node('Add', [g.value(self), g.constant([1], 'float32', [])])]));
  },
  expm1: (state, self, _args, result) => {
    const g = state.graph;
    g.bind(result, g.node('Sub', [g.node('Exp', [g.value(self)]), g.constant([1], 'float32', [])]));
  },
  // ONNX has no Trunc: sign(x) * floor(|x|).
  trunc: (state, self, _args, result) => {
    const g = state.graph;
    const x = g.value(self);
    g.bind(result, g.node('Mul', [g.node('Sign', [x]), g.node('Floor', [g.node('Abs', [x])])]));
  },
  mm: matmul,
  bmm: matmul,
  mv: matmul,
  dot: matmul,
  prod: (state, self, args, result) => {
    const [dim, keepdim] = args as [number | null | undefined, boolean | undefined];
    const g = state.graph;
    g.bind(result, g.reduce('ReduceProd', g.value(self), reductionAxes(self, dim), keepdim === true));
  },
  logsumexp: reduce('ReduceLogSumExp'),
  // all/any: ONNX's min/max reductions take no bool, so through int32 and back.
  all: boolReduce('ReduceMin'),
  any: boolReduce('ReduceMax'),
  cumsum: (state, self, args, result) => {
    const g = state.graph;
    const x = castTo(g, g.value(self), self.dtype, result.dtype);
    g.bind(result, g.node('CumSum', [x, g.constant([normalize(args[0] as number, self.ndim)], 'int64', [])]));
  },
  flip: (state, self, args, result) => {
    const axes = permutation(args).map((d) => normalize(d, self.ndim));
    const g = state.graph;
    const all = (v: number) =>
      g.constant(
        axes.map(() => v),
        'int64',
      );
    // From the last element (-1) back past the first (the most negative end).
    g.bind(
      result,
      g.node('Slice', [g.value(self), all(-1), all(-Number.MAX_SAFE_INTEGER), g.constant(axes, 'int64'), all(-1)]),
    );
  },
  triu: trilu(1),
  tril: trilu(0),
  tile: tileLike,
  repeat: tileLike,
  permute: (state, self, args, result) => {
    const perm = permutation(args).map((d) => normalize(d, self.ndim));
    state.graph.bind(result, state.graph.node('Transpose', [state.graph.value(self)], { perm }));
  },
};
