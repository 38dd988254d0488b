/**
 * Adapters for fixtures/ops-indexing.json (generate_indexing.py): `x[...]` reads (index) and writes
 * (setitem -> setIndex, index_put(_)), masked_select/masked_fill_, scatter(_) with src, value and
 * reduce, scatter_reduce, index_add/copy/fill(_), take, narrow, select. 'Tensor.X_' cases run the
 * in-place method on a clone (autograd records through the write), 'transposed.X' runs on x.t().
 * An index expression arrives as args.spec (see the generator): ":" -> null, "..." -> '...',
 * "None" -> 'newaxis', [start, end, step] -> a slice, {t: k} -> the k-th index tensor input.
 */
import type { IndexSpec } from '@flint/core';
import type { TorchArgs } from '../fixtures/load.js';
import type { OpAdapter, Tensor } from './adapters.js';

type SpecEntry = number | string | readonly (number | null)[] | { readonly t: number };

function specOf(args: TorchArgs, tensors: readonly Tensor[]): IndexSpec[] {
  return (args.spec as SpecEntry[]).map((s): IndexSpec => {
    if (s === ':') return null;
    if (s === '...') return '...';
    if (s === 'None') return 'newaxis';
    if (typeof s === 'number') return s;
    if (Array.isArray(s)) return [s[0] ?? null, s[1] ?? null, s[2] ?? 1];
    if (typeof s === 'object' && s !== null && 't' in s) return tensors[s.t]!;
    throw new Error(`ops-indexing.json: unknown index entry ${JSON.stringify(s)}`);
  });
}

const index: OpAdapter = (_c, [x, ...ts], a) => x!.index(...specOf(a, ts));
const setitem: OpAdapter = (_c, [x, v, ...ts], a) => x!.clone().setIndex(specOf(a, ts), v!);
const indexPut: OpAdapter = (c, [x, v, ...idx], a) => c.fn('indexPut')(x, idx, v, a.accumulate ?? false);

/** '*_mask' ops index with a bool mask, which reads the mask back (webgpu skips them). */
export const INDEXING_ADAPTERS: Record<string, OpAdapter> = {
  index,
  index_mask: index,
  'transposed.index': (_c, [x, ...ts], a) => x!.t().index(...specOf(a, ts)),
  setitem,
  setitem_mask: setitem,
  setitem_scalar: (_c, [x, ...ts], a) => x!.clone().setIndex(specOf(a, ts), a.value),
  index_put: indexPut,
  index_put_mask: indexPut,
  'Tensor.index_put_': (_c, [x, v, ...idx], a) => x!.clone().indexPut_(idx, v!, a.accumulate ?? false),
  masked_select: (c, [x, m]) => c.fn('maskedSelect')(x, m),
  'Tensor.masked_select': (_c, [x, m]) => x!.maskedSelect(m!),
  masked_fill: (c, [x, m], a) => c.fn('maskedFill')(x, m, a.value),
  'Tensor.masked_fill_': (_c, [x, m], a) => x!.clone().maskedFill_(m!, a.value),
  take: (c, [x, i]) => c.fn('take')(x, i),
  'Tensor.take': (_c, [x, i]) => x!.take(i!),
  'transposed.take': (c, [x, i]) => c.fn('take')(x!.t(), i),
  narrow: (c, [x], a) => c.fn('narrow')(x, a.dim, a.start, a.length),
  'Tensor.narrow': (_c, [x], a) => x!.narrow(a.dim, a.start, a.length),
  select: (c, [x], a) => c.fn('select')(x, a.dim, a.index),
  'Tensor.select': (_c, [x], a) => x!.select(a.dim, a.index),

  scatter: (c, [x, i, s], a) => c.fn('scatter')(x, a.dim, i, s, { reduce: a.reduce ?? undefined }),
  scatter_value: (c, [x, i], a) => c.fn('scatter')(x, a.dim, i, a.value, { reduce: a.reduce ?? undefined }),
  'Tensor.scatter_': (_c, [x, i, s], a) => x!.clone().scatter_(a.dim, i!, s!),
  'transposed.scatter': (c, [x, i, s], a) => c.fn('scatter')(x!.t(), a.dim, i, s),
  'Tensor.scatter_add_': (_c, [x, i, s], a) => x!.clone().scatterAdd_(a.dim, i!, s!),
  scatter_reduce: (c, [x, i, s], a) =>
    c.fn('scatterReduce')(x, a.dim, i, s, a.reduce, { includeSelf: a.include_self ?? true }),
  scatter_reduce_minmax: (c, [x, i, s], a) =>
    c.fn('scatterReduce')(x, a.dim, i, s, a.reduce, { includeSelf: a.include_self ?? true }),
  'Tensor.scatter_reduce_': (_c, [x, i, s], a) => x!.clone().scatterReduce_(a.dim, i!, s!, a.reduce),
  index_add: (c, [x, i, s], a) => c.fn('indexAdd')(x, a.dim, i, s, { alpha: a.alpha ?? 1 }),
  'Tensor.index_add_': (_c, [x, i, s], a) => x!.clone().indexAdd_(a.dim, i!, s!, { alpha: a.alpha ?? 1 }),
  index_copy: (c, [x, i, s], a) => c.fn('indexCopy')(x, a.dim, i, s),
  'Tensor.index_copy_': (_c, [x, i, s], a) => x!.clone().indexCopy_(a.dim, i!, s!),
  index_fill: (c, [x, i], a) => c.fn('indexFill')(x, a.dim, i, a.value),
  'Tensor.index_fill_': (_c, [x, i], a) => x!.clone().indexFill_(a.dim, i!, a.value),
};

/**
 * No finite-difference check: amax/amin switch at ties and prod's cases hold zeros; an overwriting
 * scatter with duplicate targets gives each overwritten src PyTorch's gradient (the gathered output
 * gradient) although the output does not depend on it.
 */
export const INDEXING_NON_SMOOTH_OPS: readonly string[] = [
  'scatter_reduce_minmax',
  'scatter',
  'Tensor.scatter_',
  'transposed.scatter',
];
