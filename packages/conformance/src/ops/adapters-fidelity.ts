/**
 * Adapters for fixtures/ops-fidelity.json (generate_fidelity.py, issue 10 item 2): advanced
 * indexing, F.embedding with padding_idx, and the `<op>:edge` gradient cases (zeros, bounds, ties,
 * -inf, division by zero), which call the same public API as the plain op.
 */
import type { Tensor as FlintTensor } from '@flint/core';
import type { TorchArgs } from '../fixtures/load.js';
import type { OpAdapter, Tensor } from './adapters.js';

type IndexSpec = Parameters<FlintTensor['index']>[number];

/** One subscript entry as generate_fidelity.py writes it. */
type FixtureSubscript = null | number | { tensor: number } | { slice: [number | null, number | null, number | null] };

/** x[...] as Flint spells it: `x.index(...)` with null for `:`, [start, end, step] for a slice. */
function subscript(xs: readonly Tensor[], entries: readonly FixtureSubscript[]): IndexSpec[] {
  return entries.map((e): IndexSpec => {
    if (e === null || typeof e === 'number') return e;
    if ('tensor' in e) return xs[e.tensor]!;
    const [start, end, step] = e.slice;
    return [start, end, step ?? 1];
  });
}

/**
 * snake_case keyword arguments -> camelCase options (adapters.ts's camelOptions; restated because
 * importing a value from adapters.ts, which spreads this table, would make an import cycle).
 */
function camelOptions(args: TorchArgs): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]),
  );
}

const dimOf = (a: TorchArgs): number | number[] | null => (a.dim === undefined ? null : a.dim);

const EDGE_ADAPTERS: Record<string, OpAdapter> = {
  'F.binary_cross_entropy': (c, [x, y], a) => c.F('binaryCrossEntropy')(x, y, camelOptions(a)),
  norm: (_c, [x], a) => x!.norm(a.p === 'inf' ? Infinity : (a.p ?? 2), dimOf(a), a.keepdim ?? false),
  'F.normalize': (c, [x], a) => c.F('normalize')(x, a.p ?? 2, a.dim ?? 1),
  std: (_c, [x], a) => x!.std(dimOf(a), { correction: a.correction, keepdim: a.keepdim ?? false }),
  pow: (c, [x, y], a) => {
    if (a.exponent !== undefined) return x!.pow(a.exponent);
    if (a.base !== undefined) return c.fn('pow')(a.base, x);
    return x!.pow(y!);
  },
  sqrt: (_c, [x]) => x!.sqrt(),
  log: (_c, [x]) => x!.log(),
  div: (_c, [x, y]) => x!.div(y!),
  reciprocal: (_c, [x]) => x!.reciprocal(),
  'F.hardtanh': (c, [x], a) => c.F('hardtanh')(x, a.min_val ?? -1, a.max_val ?? 1),
  'F.relu6': (c, [x]) => c.F('relu6')(x),
  clamp: (_c, [x], a) => x!.clamp(a.min ?? null, a.max ?? null),
  relu: (_c, [x]) => x!.relu(),
  'F.relu': (c, [x]) => c.F('relu')(x),
  abs: (_c, [x]) => x!.abs(),
  'F.leaky_relu': (c, [x], a) => c.F('leakyRelu')(x, a.negative_slope),
  'F.elu': (c, [x], a) => c.F('elu')(x, a.alpha ?? 1),
  maximum: (_c, [x, y]) => x!.maximum(y!),
  minimum: (_c, [x, y]) => x!.minimum(y!),
  amax: (_c, [x], a) => x!.amax(dimOf(a), a.keepdim ?? false),
  'F.smooth_l1_loss': (c, [x, y], a) => c.F('smoothL1Loss')(x, y, camelOptions(a)),
  'F.huber_loss': (c, [x, y], a) => c.F('huberLoss')(x, y, camelOptions(a)),
  'F.l1_loss': (c, [x, y], a) => c.F('l1Loss')(x, y, camelOptions(a)),
  softmax: (_c, [x], a) => x!.softmax(a.dim),
  log_softmax: (_c, [x], a) => x!.logSoftmax(a.dim),
  logsumexp: (_c, [x], a) => x!.logsumexp(a.dim, a.keepdim ?? false),
};

export const FIDELITY_ADAPTERS: Record<string, OpAdapter> = {
  'Tensor.__getitem__': (_c, xs, a) => xs[0]!.index(...subscript(xs, a.index as FixtureSubscript[])),
  'F.embedding': (c, [indices, weight], a) => c.F('embedding')(indices, weight, a.padding_idx ?? null),
  ...Object.fromEntries(Object.entries(EDGE_ADAPTERS).map(([op, adapter]) => [`${op}:edge`, adapter])),
};

/**
 * Only PyTorch's gradient is compared for these: every `:edge` case sits on a kink, a bound, a tie
 * or the edge of the domain, where central differences straddle two rules (or leave the domain),
 * and F.embedding's padding row changes the output but by definition gets no gradient.
 */
export const FIDELITY_NON_SMOOTH_OPS: readonly string[] = [
  'F.embedding',
  ...Object.keys(EDGE_ADAPTERS).map((op) => `${op}:edge`),
];
