/**
 * PART C: one adapter per fixture op (PyTorch's name, as in fixtures/ops.json) that calls Flint's
 * public API. Tensor methods are typed against core's Tensor; free functions and nn.functional are
 * looked up at run time with `need`, which throws a clear error when core does not (yet) provide
 * them, so the case FAILS instead of being skipped.
 */
import type * as Flint from '@flint/core';
import type { TorchArgs } from '../fixtures/load.js';
import { FIDELITY_ADAPTERS, FIDELITY_NON_SMOOTH_OPS } from './adapters-fidelity.js';
import { FUNCTION_ADAPTERS, FUNCTION_NON_SMOOTH_OPS } from './adapters-functions.js';
import { CONVPOOL_ADAPTERS, CONVPOOL_NON_SMOOTH_OPS } from './adapters-convpool.js';
import { DATADEP_ADAPTERS } from './adapters-datadep.js';
import { NNEXTRA_ADAPTERS, NNEXTRA_NON_SMOOTH_OPS } from './adapters-nnextra.js';
import { TRANSFORMER_ADAPTERS } from './adapters-transformer.js';
import { INDEXING_ADAPTERS, INDEXING_NON_SMOOTH_OPS } from './adapters-indexing.js';
import { SORTING_ADAPTERS, SORTING_NON_SMOOTH_OPS } from './adapters-sorting.js';
import { AUDIT_ADAPTERS, AUDIT_NON_SMOOTH_OPS } from './adapters-audit.js';
import { SWEEP_ADAPTERS, SWEEP_NON_SMOOTH_OPS } from './adapters-sweep.js';
import { VARSCALE_ADAPTERS, VARSCALE_NON_SMOOTH_OPS } from './adapters-varscale.js';

export type FlintApi = typeof Flint;
export type Tensor = Flint.Tensor;
export type AdapterResult = Tensor | readonly Tensor[];

/**
 * A function of @flint/core found by name at run time (so that a missing one fails its case, not
 * the build): the compiler cannot know its signature, and the case checks what it returns.
 */
export type LookedUpFunction = (...args: unknown[]) => AdapterResult;

export interface AdapterContext {
  readonly api: FlintApi;
  /** `nn.functional.<name>` (PyTorch's F in TypeScript spelling), or a thrown "missing" error. */
  F(name: string): LookedUpFunction;
  /** A top-level export of @flint/core (cat, stack, where, ...), or a thrown "missing" error. */
  fn(name: string): LookedUpFunction;
}

export type OpAdapter = (ctx: AdapterContext, xs: readonly Tensor[], args: TorchArgs) => AdapterResult;

export class MissingApiError extends Error {}

export function makeContext(api: FlintApi): AdapterContext {
  const need = (owner: unknown, path: string): LookedUpFunction => {
    const f = (owner as Record<string, unknown> | undefined)?.[path.split('.').pop()!];
    if (typeof f !== 'function') throw new MissingApiError(`@flint/core does not provide ${path}`);
    return f as LookedUpFunction;
  };
  return {
    api,
    F: (name) => need((api.nn as Record<string, unknown>).functional, `nn.functional.${name}`),
    fn: (name) => need(api, name),
  };
}

/** snake_case keyword arguments -> a camelCase options object (dropping the listed keys). */
export function camelOptions(args: TorchArgs, omit: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (omit.includes(k)) continue;
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return out;
}

const dimArg = (args: TorchArgs): number | number[] | null => (args.dim === undefined ? null : args.dim);

type UnaryMethod =
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'erf'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'log1p'
  | 'expm1'
  | 'square';
const UNARY: UnaryMethod[] = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'reciprocal',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'erf',
  'floor',
  'ceil',
  'round',
  'log1p',
  'expm1',
  'square',
];

type BinaryMethod =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';
const BINARY: BinaryMethod[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
];

function maxMin(which: 'max' | 'min'): OpAdapter {
  return (_c, [x], args) => {
    if (args.dim === undefined) return x![which]();
    const r = x![which](args.dim, args.keepdim ?? false);
    return [r.values, r.indices];
  };
}

export const OP_ADAPTERS: Record<string, OpAdapter> = {
  ...Object.fromEntries(UNARY.map((m): [string, OpAdapter] => [m, (_c, [x]) => x![m]()])),
  ...Object.fromEntries(BINARY.map((m): [string, OpAdapter] => [m, (_c, [a, b]) => a![m](b!)])),
  'F.relu': (c, [x]) => c.F('relu')(x),
  'F.leaky_relu': (c, [x], a) => c.F('leakyRelu')(x, a.negative_slope),
  'F.gelu': (c, [x]) => c.F('gelu')(x),
  where: (c, [cond, a, b]) => c.fn('where')(cond, a, b),

  sum: (_c, [x], a) => x!.sum(dimArg(a), a.keepdim ?? false),
  mean: (_c, [x], a) => x!.mean(dimArg(a), a.keepdim ?? false),
  prod: (_c, [x], a) => x!.prod(a.dim ?? null, a.keepdim ?? false),
  max: maxMin('max'),
  min: maxMin('min'),
  amax: (_c, [x], a) => x!.amax(dimArg(a), a.keepdim ?? false),
  amin: (_c, [x], a) => x!.amin(dimArg(a), a.keepdim ?? false),
  argmax: (_c, [x], a) => x!.argmax(a.dim ?? null, a.keepdim ?? false),
  argmin: (_c, [x], a) => x!.argmin(a.dim ?? null, a.keepdim ?? false),
  var: (_c, [x], a) => x!.var(dimArg(a), { correction: a.correction, keepdim: a.keepdim ?? false }),
  std: (_c, [x], a) => x!.std(dimArg(a), { correction: a.correction, keepdim: a.keepdim ?? false }),
  logsumexp: (_c, [x], a) => x!.logsumexp(a.dim, a.keepdim ?? false),
  softmax: (_c, [x], a) => x!.softmax(a.dim),
  log_softmax: (_c, [x], a) => x!.logSoftmax(a.dim),

  matmul: (_c, [a, b]) => a!.matmul(b!),
  'F.linear': (c, [x, w, b]) => c.F('linear')(x, w, b ?? null),

  transpose: (_c, [x], a) => x!.transpose(a.dim0, a.dim1),
  permute: (_c, [x], a) => x!.permute(a.dims),
  reshape: (_c, [x], a) => x!.reshape(a.shape),
  'Tensor.expand': (_c, [x], a) => x!.expand(a.size),
  cat: (c, xs, a) => c.fn('cat')(xs, a.dim),
  stack: (c, xs, a) => c.fn('stack')(xs, a.dim),
  /** x[a:b:c, ...] */
  slice: (_c, [x], a) =>
    x!.index(...(a.slices as (number | null)[][]).map(([s, e, st]) => [s ?? null, e ?? null, st ?? 1] as const)),
  gather: (_c, [x, i], a) => x!.gather(a.dim, i!),
  scatter_add: (_c, [x, i, s], a) => x!.scatterAdd(a.dim, i!, s!),
  index_select: (_c, [x, i], a) => x!.indexSelect(a.dim, i!),
  'F.one_hot': (c, [i], a) => c.F('oneHot')(i, a.num_classes),
  'F.pad': (c, [x], a) => c.F('pad')(x, a.pad, a.mode ?? 'constant', a.value ?? 0),

  'F.conv2d': (c, [x, w, b], a) => c.F('conv2d')(x, w, b ?? null, camelOptions(a)),
  'F.max_pool2d': (c, [x], a) => {
    const opts = camelOptions(a, ['kernel_size', 'return_indices']);
    if (!a.return_indices) return c.F('maxPool2d')(x, a.kernel_size, opts);
    const r = c.F('maxPool2dWithIndices')(x, a.kernel_size, opts) as unknown as { values: Tensor; indices: Tensor };
    return [r.values, r.indices];
  },
  'F.avg_pool2d': (c, [x], a) => c.F('avgPool2d')(x, a.kernel_size, camelOptions(a, ['kernel_size'])),

  'F.mse_loss': (c, [x, y], a) => c.F('mseLoss')(x, y, camelOptions(a)),
  'F.l1_loss': (c, [x, y], a) => c.F('l1Loss')(x, y, camelOptions(a)),
  'F.cross_entropy': (c, [x, y], a) => c.F('crossEntropy')(x, y, camelOptions(a)),
  'F.nll_loss': (c, [x, y], a) => c.F('nllLoss')(x, y, camelOptions(a)),
  'F.binary_cross_entropy': (c, [x, y], a) => c.F('binaryCrossEntropy')(x, y, camelOptions(a)),
  'F.binary_cross_entropy_with_logits': (c, [x, y], a) => c.F('binaryCrossEntropyWithLogits')(x, y, camelOptions(a)),
  ...FIDELITY_ADAPTERS,
  ...FUNCTION_ADAPTERS,
  ...CONVPOOL_ADAPTERS,
  ...DATADEP_ADAPTERS,
  ...NNEXTRA_ADAPTERS,
  ...TRANSFORMER_ADAPTERS,
  ...INDEXING_ADAPTERS,
  ...SORTING_ADAPTERS,
  ...AUDIT_ADAPTERS,
  ...SWEEP_ADAPTERS,
  ...VARSCALE_ADAPTERS,
};

/**
 * Ops whose gradient is only piecewise defined (kinks, jumps, argmax switches): the finite
 * difference check is not run on them; their analytic gradient is still compared with PyTorch's.
 */
export const NON_SMOOTH_OPS: ReadonlySet<string> = new Set([
  'abs',
  'relu',
  'F.relu',
  'F.leaky_relu',
  'floor',
  'ceil',
  'round',
  'maximum',
  'minimum',
  'max',
  'min',
  'amax',
  'amin',
  'F.max_pool2d',
  'F.l1_loss',
  ...FIDELITY_NON_SMOOTH_OPS,
  ...FUNCTION_NON_SMOOTH_OPS,
  ...CONVPOOL_NON_SMOOTH_OPS,
  ...NNEXTRA_NON_SMOOTH_OPS,
  ...INDEXING_NON_SMOOTH_OPS,
  ...SORTING_NON_SMOOTH_OPS,
  ...AUDIT_NON_SMOOTH_OPS,
  ...SWEEP_NON_SMOOTH_OPS,
  ...VARSCALE_NON_SMOOTH_OPS,
]);
