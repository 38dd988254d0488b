/**
 * Known module classes -> ONNX nodes, built from the module's fields and parameters (a module's
 * forward runs untraced; its output Tensor is bound to the last node's output).
 */
import { nn, Tensor } from '@flint/core';
import type { GraphBuilder } from './graph.js';
import { emitAttention, emitDecoderLayer, emitEncoderLayer } from './attention.js';
import { emitRnn, isRnn } from './rnn.js';
import { type TraceState, where } from './trace-state.js';

type Emit = (g: GraphBuilder, m: nn.Module, x: Tensor, fail: (why: string) => never) => string;

const pair = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v, v] : [...v]);
const single = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : [...v]);

/** ONNX pads [begin..., end...] for PyTorch's symmetric padding or 'valid'/'same'. */
function convPads(
  padding: readonly number[] | string,
  kernel: readonly number[],
  dilation: readonly number[],
): number[] {
  if (padding === 'valid') return kernel.map(() => 0).concat(kernel.map(() => 0));
  if (padding === 'same') {
    // PyTorch puts the odd element of the total padding at the end.
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    return total.map((t) => Math.floor(t / 2)).concat(total.map((t) => t - Math.floor(t / 2)));
  }
  const p = [...(padding as readonly number[])];
  return [...p, ...p];
}

function conv(g: GraphBuilder, m: nn.Conv1d | nn.Conv2d, x: Tensor, fail: (why: string) => never): string {
  if (m.paddingMode !== 'zeros') fail(`paddingMode '${m.paddingMode}' (only 'zeros' is exported)`);
  const inputs = [g.value(x), g.value(m.weight)];
  if (m.bias !== null) inputs.push(g.value(m.bias));
  return g.node('Conv', inputs, {
    kernel_shape: [...m.kernelSize],
    strides: [...m.stride],
    pads: convPads(m.padding as readonly number[] | string, m.kernelSize, m.dilation),
    dilations: [...m.dilation],
    group: m.groups,
  });
}

function pool(
  g: GraphBuilder,
  x: Tensor,
  opType: 'MaxPool' | 'AveragePool',
  kernel: number[],
  stride: number[],
  padding: number[],
  ceilMode: boolean,
  extra: Record<string, number | number[]>,
): string {
  return g.node(opType, [g.value(x)], {
    kernel_shape: kernel,
    strides: stride,
    pads: [...padding, ...padding],
    ceil_mode: ceilMode ? 1 : 0,
    ...extra,
  });
}

function linear(g: GraphBuilder, m: nn.Linear, x: Tensor): string {
  if (x.ndim === 2) {
    const inputs = [g.value(x), g.value(m.weight)];
    if (m.bias !== null) inputs.push(g.value(m.bias));
    return g.node('Gemm', inputs, { transB: 1 });
  }
  const wt = g.node('Transpose', [g.value(m.weight)], { perm: [1, 0] });
  const y = g.node('MatMul', [g.value(x), wt]);
  return m.bias === null ? y : g.node('Add', [y, g.value(m.bias)]);
}

/** The per-channel affine parameters, or constant ones/zeros when the module has none. */
function scaleAndBias(g: GraphBuilder, weight: Tensor | null, bias: Tensor | null, shape: readonly number[]): string[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return [
    weight === null ? g.constant(new Array(n).fill(1), 'float32', shape) : g.value(weight),
    bias === null ? g.constant(new Array(n).fill(0), 'float32', shape) : g.value(bias),
  ];
}

/** PyTorch's implicit softmax dim (F._get_softmax_dim). */
const softmaxDim = (dim: number | undefined, ndim: number): number =>
  dim ?? (ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1);

function gelu(g: GraphBuilder, x: string, approximate: 'none' | 'tanh'): string {
  const half = g.constant([0.5], 'float32', []);
  const one = g.constant([1], 'float32', []);
  let inner: string;
  if (approximate === 'none') {
    inner = g.node('Erf', [g.node('Mul', [x, g.constant([Math.SQRT1_2], 'float32', [])])]);
  } else {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
    const poly = g.node('Add', [x, g.node('Mul', [cube, g.constant([0.044715], 'float32', [])])]);
    inner = g.node('Tanh', [g.node('Mul', [poly, g.constant([Math.sqrt(2 / Math.PI)], 'float32', [])])]);
  }
  return g.node('Mul', [g.node('Mul', [x, half]), g.node('Add', [inner, one])]);
}

const EMITTERS: [abstract new (...args: never[]) => nn.Module, string, Emit][] = [
  [nn.Linear, 'Linear', (g, m, x) => linear(g, m as nn.Linear, x)],
  [nn.Conv1d, 'Conv1d', (g, m, x, fail) => conv(g, m as nn.Conv1d, x, fail)],
  [nn.Conv2d, 'Conv2d', (g, m, x, fail) => conv(g, m as nn.Conv2d, x, fail)],
  [
    nn.MaxPool2d,
    'MaxPool2d',
    (g, module, x, fail) => {
      const m = module as nn.MaxPool2d;
      if (m.returnIndices) fail('returnIndices (only the values are exported)');
      const k = pair(m.kernelSize);
      return pool(g, x, 'MaxPool', k, pair(m.stride), pair(m.padding), m.ceilMode, { dilations: pair(m.dilation) });
    },
  ],
  [
    nn.MaxPool1d,
    'MaxPool1d',
    (g, module, x, fail) => {
      const m = module as nn.MaxPool1d;
      if (m.returnIndices) fail('returnIndices (only the values are exported)');
      return pool(g, x, 'MaxPool', single(m.kernelSize), single(m.stride), single(m.padding), m.ceilMode, {
        dilations: single(m.dilation),
      });
    },
  ],
  [
    nn.AvgPool2d,
    'AvgPool2d',
    (g, module, x, fail) => {
      const m = module as nn.AvgPool2d;
      if (m.divisorOverride !== null) fail('divisorOverride (ONNX AveragePool has no divisor)');
      return pool(g, x, 'AveragePool', pair(m.kernelSize), pair(m.stride), pair(m.padding), m.ceilMode, {
        count_include_pad: m.countIncludePad ? 1 : 0,
      });
    },
  ],
  [
    nn.AvgPool1d,
    'AvgPool1d',
    (g, module, x) => {
      const m = module as nn.AvgPool1d;
      return pool(g, x, 'AveragePool', single(m.kernelSize), single(m.stride), single(m.padding), m.ceilMode, {
        count_include_pad: m.countIncludePad ? 1 : 0,
      });
    },
  ],
  [
    nn.AdaptiveAvgPool2d,
    'AdaptiveAvgPool2d',
    (g, module, x, fail) => {
      const m = module as nn.AdaptiveAvgPool2d;
      const inner = x.shape.slice(-2);
      const out = pair(m.outputSize as number | number[]).map((o, i) => (o === null ? inner[i]! : o));
      if (out[0] === 1 && out[1] === 1) return g.node('GlobalAveragePool', [g.value(x)]);
      if (inner.some((s, i) => s % out[i]! !== 0))
        fail(`output size ${out.join('x')} of input ${inner.join('x')} (unequal bins)`);
      const k = inner.map((s, i) => s / out[i]!);
      return pool(g, x, 'AveragePool', k, k, [0, 0], false, {});
    },
  ],
  [nn.ConvTranspose1d, 'ConvTranspose1d', (g, m, x) => convTranspose(g, m as nn.ConvTranspose1d, x)],
  [nn.ConvTranspose2d, 'ConvTranspose2d', (g, m, x) => convTranspose(g, m as nn.ConvTranspose2d, x)],
  [nn.GroupNorm, 'GroupNorm', (g, m, x) => groupNorm(g, m as nn.GroupNorm, x)],
  [nn.BatchNorm1d, 'BatchNorm1d', (g, m, x, fail) => batchNorm(g, m as nn.BatchNorm1d, x, fail)],
  [nn.BatchNorm2d, 'BatchNorm2d', (g, m, x, fail) => batchNorm(g, m as nn.BatchNorm2d, x, fail)],
  [
    nn.LayerNorm,
    'LayerNorm',
    (g, module, x) => {
      const m = module as nn.LayerNorm;
      const [scale, bias] = scaleAndBias(g, m.weight, m.bias, m.normalizedShape);
      return g.node('LayerNormalization', [g.value(x), scale!, bias!], {
        axis: -m.normalizedShape.length,
        epsilon: { float: m.eps },
      });
    },
  ],
  [
    nn.Embedding,
    'Embedding',
    (g, module, x, fail) => {
      const m = module as nn.Embedding & { maxNorm?: number | null };
      if (m.maxNorm !== undefined && m.maxNorm !== null) fail('maxNorm (it renormalizes the weight in place)');
      return g.node('Gather', [g.value(m.weight), g.value(x)], { axis: 0 });
    },
  ],
  [
    nn.Flatten,
    'Flatten',
    (g, module, x) => {
      const m = module as nn.Flatten;
      const end = m.endDim < 0 ? m.endDim + x.ndim : m.endDim;
      if (m.startDim === 1 && end === x.ndim - 1) return g.node('Flatten', [g.value(x)], { axis: 1 });
      return reshapeTo(g, x, flattenShape(x.shape, m.startDim, m.endDim));
    },
  ],
  [nn.ReLU, 'ReLU', (g, _m, x) => g.node('Relu', [g.value(x)])],
  [nn.Sigmoid, 'Sigmoid', (g, _m, x) => g.node('Sigmoid', [g.value(x)])],
  [nn.Tanh, 'Tanh', (g, _m, x) => g.node('Tanh', [g.value(x)])],
  [
    nn.ReLU6,
    'ReLU6',
    (g, _m, x) => g.node('Clip', [g.value(x), g.constant([0], 'float32', []), g.constant([6], 'float32', [])]),
  ],
  [
    nn.Hardtanh,
    'Hardtanh',
    (g, module, x) => {
      const m = module as nn.Hardtanh;
      return g.node('Clip', [g.value(x), g.constant([m.minVal], 'float32', []), g.constant([m.maxVal], 'float32', [])]);
    },
  ],
  [
    nn.SiLU,
    'SiLU',
    (g, _m, x) => {
      const v = g.value(x);
      return g.node('Mul', [v, g.node('Sigmoid', [v])]);
    },
  ],
  [nn.GELU, 'GELU', (g, m, x) => gelu(g, g.value(x), (m as nn.GELU).approximate)],
  [
    nn.LeakyReLU,
    'LeakyReLU',
    (g, m, x) => g.node('LeakyRelu', [g.value(x)], { alpha: { float: (m as nn.LeakyReLU).negativeSlope } }),
  ],
  [nn.ELU, 'ELU', (g, m, x) => g.node('Elu', [g.value(x)], { alpha: { float: (m as nn.ELU).alpha } })],
  [
    nn.Softplus,
    'Softplus',
    (g, module, x) => {
      const m = module as nn.Softplus;
      if (m.beta === 1) return g.node('Softplus', [g.value(x)]);
      const beta = g.constant([m.beta], 'float32', []);
      return g.node('Div', [g.node('Softplus', [g.node('Mul', [g.value(x), beta])]), beta]);
    },
  ],
  [
    nn.Softmax,
    'Softmax',
    (g, m, x) => g.node('Softmax', [g.value(x)], { axis: softmaxDim((m as nn.Softmax).dim, x.ndim) }),
  ],
  [
    nn.LogSoftmax,
    'LogSoftmax',
    (g, m, x) => g.node('LogSoftmax', [g.value(x)], { axis: softmaxDim((m as nn.LogSoftmax).dim, x.ndim) }),
  ],
  // In eval mode dropout is the identity (as torch.onnx.export writes it).
  [nn.Dropout, 'Dropout', (g, _m, x) => g.node('Identity', [g.value(x)])],
  [nn.Identity, 'Identity', (g, _m, x) => g.node('Identity', [g.value(x)])],
];

function convTranspose(g: GraphBuilder, m: nn.ConvTranspose1d | nn.ConvTranspose2d, x: Tensor): string {
  const inputs = [g.value(x), g.value(m.weight)];
  if (m.bias !== null) inputs.push(g.value(m.bias));
  return g.node('ConvTranspose', inputs, {
    kernel_shape: [...m.kernelSize],
    strides: [...m.stride],
    pads: [...m.padding, ...m.padding],
    output_padding: [...m.outputPadding],
    dilations: [...m.dilation],
    group: m.groups,
  });
}

/** GroupNorm composed: statistics over [N, G, C/G * spatial], then the per-channel affine. */
function groupNorm(g: GraphBuilder, m: nn.GroupNorm, x: Tensor): string {
  const v = g.value(x);
  const grouped = g.node('Reshape', [v, g.constant([0, m.numGroups, -1], 'int64')]);
  const centered = g.node('Sub', [grouped, g.reduceMean(grouped, [2], true)]);
  const variance = g.reduceMean(g.node('Mul', [centered, centered]), [2], true);
  const std = g.node('Sqrt', [g.node('Add', [variance, g.constant([m.eps], 'float32', [])])]);
  let y = g.node('Reshape', [g.node('Div', [centered, std]), g.node('Shape', [v])]);
  // Per-channel [C, 1, ..., 1] against [N, C, *].
  const perChannel = g.constant([-1, ...new Array(x.ndim - 2).fill(1)], 'int64');
  if (m.weight !== null) y = g.node('Mul', [y, g.node('Reshape', [g.value(m.weight), perChannel])]);
  if (m.bias !== null) y = g.node('Add', [y, g.node('Reshape', [g.value(m.bias), perChannel])]);
  return y;
}

function batchNorm(
  g: GraphBuilder,
  m: nn.BatchNorm1d | nn.BatchNorm2d,
  x: Tensor,
  fail: (why: string) => never,
): string {
  if (m.running_mean === null || m.running_var === null)
    fail('trackRunningStats false (eval mode normalizes with batch statistics)');
  const [scale, bias] = scaleAndBias(g, m.weight, m.bias, [m.numFeatures]);
  return g.node('BatchNormalization', [g.value(x), scale!, bias!, g.value(m.running_mean), g.value(m.running_var)], {
    epsilon: { float: m.eps },
  });
}

export function flattenShape(shape: readonly number[], startDim: number, endDim: number): number[] {
  const s = startDim < 0 ? startDim + shape.length : startDim;
  const e = endDim < 0 ? endDim + shape.length : endDim;
  const inner = shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return [...shape.slice(0, s), inner, ...shape.slice(e + 1)];
}

/**
 * A Reshape of `x` to `target` that stays right when the leading (batch) dims change size: dims
 * equal to x's leading dims copy them (0), and the first other dim is inferred (-1).
 */
export function reshapeTo(g: GraphBuilder, x: Tensor, target: readonly number[]): string {
  const spec = [...target];
  let i = 0;
  while (i < spec.length && i < x.ndim && spec[i] === x.shape[i]) spec[i++] = 0;
  if (i < spec.length && !spec.includes(-1) && spec[i] !== 0) spec[i] = -1;
  return g.node('Reshape', [g.value(x), g.constant(spec, 'int64')]);
}

/** The class name the exporter knows `m` as, or undefined when it traces inside m's forward. */
export function moduleKind(m: nn.Module): string | undefined {
  const cls: unknown = m.constructor;
  for (const [known, name] of EMITTERS) if (cls === known) return name;
  if (
    cls === nn.MultiheadAttention ||
    cls === nn.TransformerEncoderLayer ||
    cls === nn.TransformerDecoderLayer ||
    isRnn(m)
  )
    return m.constructor.name;
  return undefined;
}

/** Emit the nodes of known module `m` called on `args` that returned `out`. */
export function emitModule(state: TraceState, m: nn.Module, args: unknown[], out: unknown): void {
  // Typed on the binding so that a call narrows like a throw.
  const fail: (why: string) => never = (why) => {
    throw new Error(`onnx export: ${where(state)} cannot be exported: ${why}`);
  };
  const x = args[0];
  if (!(x instanceof Tensor)) fail('its first argument is not a Tensor');
  const multi =
    m.constructor === nn.MultiheadAttention
      ? () => emitAttention(state.graph, m as nn.MultiheadAttention, args, fail)
      : m.constructor === nn.TransformerEncoderLayer
        ? () => emitEncoderLayer(state.graph, m as nn.TransformerEncoderLayer, args, fail)
        : m.constructor === nn.TransformerDecoderLayer
          ? () => emitDecoderLayer(state.graph, m as nn.TransformerDecoderLayer, args, fail)
          : undefined;
  if (multi !== undefined) {
    const values = multi();
    const tensors = tensorsOf(out);
    if (tensors.length !== values.length) fail(`its output holds ${tensors.length} tensors, expected ${values.length}`);
    for (const [i, t] of tensors.entries()) state.graph.bind(t, values[i]!);
    return;
  }
  if (isRnn(m)) {
    const hx =
      args[1] === undefined || args[1] === null ? [] : args[1] instanceof Tensor ? [args[1]] : (args[1] as Tensor[]);
    const values = emitRnn(state.graph, m, x, hx, fail);
    const tensors = tensorsOf(out);
    if (tensors.length !== values.length) fail(`its output holds ${tensors.length} tensors, expected ${values.length}`);
    for (const [i, t] of tensors.entries()) state.graph.bind(t, values[i]!);
    return;
  }
  const entry = EMITTERS.find(([cls]) => m.constructor === cls)!;
  if (args.length !== 1) fail(`it was called with ${args.length} arguments (export takes one Tensor)`);
  if (!(out instanceof Tensor)) fail('its output is not a Tensor');
  state.graph.bind(out, entry[2](state.graph, m, x, fail));
}

/** The tensors in a module's output (a tensor or nested arrays of them), depth first. */
function tensorsOf(v: unknown, acc: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) acc.push(v);
  else if (Array.isArray(v)) for (const item of v) tensorsOf(item, acc);
  return acc;
}
