/**
 * Tensor methods the exporter traces in functional code (a forward's `x.flatten(1)`, `a.add(b)`):
 * each emits the ONNX nodes for one call from its arguments and result.
 */
import { Tensor } from '@flint/core';
import type { TraceState } from './trace-state.js';
import { flattenShape, reshapeTo } from './modules.js';

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

/** sum/mean over dims (all dims when none given), keepdim as PyTorch's. */
function reduce(opType: 'ReduceSum' | 'ReduceMean'): MethodEmit {
  return (state, self, args, result) => {
    const [dim, keepdim] = args as [number | readonly number[] | null | undefined, boolean | undefined];
    const dims =
      dim === undefined || dim === null ? [...self.shape.keys()] : typeof dim === 'number' ? [dim] : [...dim];
    const axes = dims.map((d) => normalize(d, self.ndim));
    const keepdims = keepdim === true ? 1 : 0;
    const x = state.graph.value(self);
    // ReduceSum takes its axes as an input from opset 13, ReduceMean only from opset 18.
    const value =
      opType === 'ReduceSum' || state.graph.opset >= 18
        ? state.graph.node(opType, [x, state.graph.constant(axes, 'int64')], { keepdims })
        : state.graph.node(opType, [x], { axes, keepdims });
    state.graph.bind(result, value);
  };
}

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

export const METHODS: Readonly<Record<string, MethodEmit>> = {
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  matmul: (state, self, args, result) =>
    state.graph.bind(
      result,
      state.graph.node('MatMul', [state.graph.value(self), state.graph.value(args[0] as Tensor)]),
    ),
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
    const from = start < 0 ? start + self.shape[dim]! : start;
    const g = state.graph;
    const inputs = [
      g.value(self),
      g.constant([from], 'int64'),
      g.constant([from + length], 'int64'),
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
    // A scalar index drops the dim, as select does; a negative one counts from the traced size.
    const at = state.graph.constant([index < 0 ? index + self.shape[dim]! : index], 'int64', []);
    state.graph.bind(result, state.graph.node('Gather', [state.graph.value(self), at], { axis: dim }));
  },
  permute: (state, self, args, result) => {
    const perm = permutation(args).map((d) => normalize(d, self.ndim));
    state.graph.bind(result, state.graph.node('Transpose', [state.graph.value(self)], { perm }));
  },
};
