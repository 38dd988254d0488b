/**
 * Adapters for fixtures/ops-sorting.json (generate_sorting.py): sort, argsort, msort, topk,
 * kthvalue, median, nanmedian, mode, cumsum, cumprod, cummax, cummin. 'torch.X' cases call the
 * free function, 'Tensor.X' the method, 'transposed.X' the free function on x.t() (a
 * non-contiguous view in PyTorch). { values, indices } results compare as the two outputs.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { AdapterContext, AdapterResult, OpAdapter, Tensor } from './adapters.js';

type Pair = { values: Tensor; indices: Tensor };
const pair = (r: unknown): AdapterResult => {
  const p = r as Pair;
  return [p.values, p.indices];
};
/** A result that is a Tensor, or { values, indices } (median with a dim). */
const tensorOrPair = (r: unknown): AdapterResult =>
  typeof r === 'object' && r !== null && 'indices' in r ? pair(r) : (r as Tensor);

/** Each op as a call on (context, receiver, args), so the three spellings share it. */
type Call = (c: AdapterContext, x: Tensor, a: TorchArgs, method: boolean) => AdapterResult;

const by =
  (name: string, args: (a: TorchArgs) => unknown[], result: (r: unknown) => AdapterResult): Call =>
  (c, x, a, method) => {
    const list = args(a);
    if (method) {
      const m = (x as unknown as Record<string, (...xs: unknown[]) => unknown>)[name];
      if (typeof m !== 'function') throw new Error(`Tensor.${name} is missing`);
      return result(m.apply(x, list));
    }
    return result(c.fn(name)(x, ...list));
  };

/** median/nanmedian/mode-style (dim?, keepdim) arguments; no dim -> the whole-tensor form. */
const dimKeep = (a: TorchArgs, defaultDim?: number): unknown[] => {
  const dim = a.dim ?? defaultDim;
  return dim === undefined ? [] : [dim, a.keepdim ?? false];
};

const CALLS: Record<string, Call> = {
  sort: by('sort', (a) => [a.dim ?? -1, a.descending ?? false], pair),
  argsort: by(
    'argsort',
    (a) => [a.dim ?? -1, a.descending ?? false],
    (r) => r as Tensor,
  ),
  msort: by(
    'msort',
    () => [],
    (r) => r as Tensor,
  ),
  topk: by('topk', (a) => [a.k, a.dim ?? -1, a.largest ?? true], pair),
  kthvalue: by('kthvalue', (a) => [a.k, a.dim ?? -1, a.keepdim ?? false], pair),
  median: by('median', (a) => dimKeep(a), tensorOrPair),
  nanmedian: by('nanmedian', (a) => dimKeep(a), tensorOrPair),
  mode: by('mode', (a) => dimKeep(a, -1), pair),
  cumsum: by(
    'cumsum',
    (a) => [a.dim, a.dtype === undefined ? undefined : { dtype: a.dtype }],
    (r) => r as Tensor,
  ),
  cumprod: by(
    'cumprod',
    (a) => [a.dim],
    (r) => r as Tensor,
  ),
  cummax: by('cummax', (a) => [a.dim], pair),
  cummin: by('cummin', (a) => [a.dim], pair),
};

export const SORTING_ADAPTERS: Record<string, OpAdapter> = Object.fromEntries(
  Object.entries(CALLS).flatMap(([name, call]): [string, OpAdapter][] => [
    [name, (c, [x], a) => call(c, x!, a, false)],
    [`Tensor.${name}`, (c, [x], a) => call(c, x!, a, true)],
    [`transposed.${name}`, (c, [x], a) => call(c, x!.t(), a, false)],
  ]),
);

/**
 * Selections switch index where values tie or cross (no finite-difference check; the analytic
 * gradient is still compared with PyTorch's). cumsum and cumprod are smooth and keep the check.
 */
export const SORTING_NON_SMOOTH_OPS: readonly string[] = Object.keys(CALLS)
  .filter((n) => n !== 'cumsum' && n !== 'cumprod')
  .flatMap((n) => [n, `Tensor.${n}`, `transposed.${n}`]);
