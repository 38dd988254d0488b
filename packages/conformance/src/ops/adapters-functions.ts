/**
 * Adapters for fixtures/ops-functions.json (generate_functions.py): the tensor functions composed
 * from existing kernels (issue 10, item 4). Free functions are looked up by name (a missing one
 * fails its case); 'Tensor.*' cases call the method. Each core test checks that the method and the
 * free function of an op agree, so one spelling per fixture is enough here.
 */
import type { OpAdapter, Tensor } from './adapters.js';

const unary =
  (name: string): OpAdapter =>
  (c, [x]) =>
    c.fn(name)(x);
const binary =
  (name: string): OpAdapter =>
  (c, [a, b], args) =>
    c.fn(name)(a, b ?? args.other);

function extremum(name: 'max' | 'min'): OpAdapter {
  return (c, [x, other], a) => {
    if (other !== undefined) return c.fn(name)(x, other);
    if (a.dim === undefined) return c.fn(name)(x);
    const r = c.fn(name)(x, a.dim, a.keepdim ?? false) as unknown as { values: Tensor; indices: Tensor };
    return [r.values, r.indices];
  };
}

export const FUNCTION_ADAPTERS: Record<string, OpAdapter> = {
  ...Object.fromEntries(
    ['tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'log2', 'log10', 'trunc', 'frac', 'isnan', 'isinf', 'isfinite'].map(
      (n): [string, OpAdapter] => [n, unary(n)],
    ),
  ),
  atan2: binary('atan2'),
  remainder: binary('remainder'),
  fmod: binary('fmod'),
  floor_divide: binary('floorDivide'),
  nan_to_num: (c, [x], a) => c.fn('nanToNum')(x, a.nan ?? 0, a.posinf ?? null, a.neginf ?? null),
  clip: (c, [x], a) => c.fn('clip')(x, a.min ?? null, a.max ?? null),
  lerp: (c, [s, e, w], a) => c.fn('lerp')(s, e, w ?? a.weight),
  addcmul: (c, [i, t1, t2], a) => c.fn('addcmul')(i, t1, t2, { value: a.value }),
  addcdiv: (c, [i, t1, t2], a) => c.fn('addcdiv')(i, t1, t2, { value: a.value }),
  logical_or: binary('logicalOr'),
  logical_xor: binary('logicalXor'),
  isclose: (c, [x, y], a) => c.fn('isclose')(x, y, { rtol: a.rtol, atol: a.atol, equalNan: a.equal_nan }),
  mm: binary('mm'),
  bmm: binary('bmm'),
  mv: binary('mv'),
  dot: binary('dot'),
  outer: binary('outer'),
  addmm: (c, [i, m1, m2], a) => c.fn('addmm')(i, m1, m2, { beta: a.beta, alpha: a.alpha }),
  cross: (c, [x, y], a) => c.fn('cross')(x, y, a.dim ?? null),
  cdist: (c, [x, y], a) => c.fn('cdist')(x, y, a.p === 'inf' ? Infinity : (a.p ?? 2)),
  trace: unary('trace'),
  diag: (c, [x], a) => c.fn('diag')(x, a.diagonal ?? 0),
  diagonal: (c, [x], a) => c.fn('diagonal')(x, a.offset ?? 0, a.dim1 ?? 0, a.dim2 ?? 1),
  tril: (c, [x], a) => c.fn('tril')(x, a.diagonal ?? 0),
  triu: (c, [x], a) => c.fn('triu')(x, a.diagonal ?? 0),
  flip: (c, [x], a) => c.fn('flip')(x, a.dims),
  roll: (c, [x], a) => c.fn('roll')(x, a.shifts, a.dims ?? null),
  hstack: (c, xs) => c.fn('hstack')(xs),
  vstack: (c, xs) => c.fn('vstack')(xs),
  tile: (c, [x], a) => c.fn('tile')(x, a.dims),
  repeat_interleave: (c, [x, r], a) => c.fn('repeatInterleave')(x, r ?? a.repeats, a.dim ?? null),
  meshgrid: (c, xs, a) => c.fn('meshgrid')(xs, { indexing: a.indexing }),
  broadcast_to: (c, [x], a) => c.fn('broadcastTo')(x, a.size),
  movedim: (c, [x], a) => c.fn('movedim')(x, a.source, a.destination),
  t: unary('t'),
  'torch.max': extremum('max'),
  'torch.min': extremum('min'),
  einsum: (c, xs, a) => c.fn('einsum')(a.equation, xs),
  'Tensor.pow_': (_c, [x, y], a) => x!.clone().pow_(y ?? a.exponent),
  'Tensor.exp_': (_c, [x]) => x!.clone().exp_(),
  'Tensor.sqrt_': (_c, [x]) => x!.clone().sqrt_(),
  'Tensor.neg_': (_c, [x]) => x!.clone().neg_(),
  'Tensor.abs_': (_c, [x]) => x!.clone().abs_(),
  'Tensor.relu_': (_c, [x]) => x!.clone().relu_(),
  'Tensor.sigmoid_': (_c, [x]) => x!.clone().sigmoid_(),
  'Tensor.clip_': (_c, [x], a) => x!.clone().clip_(a.min ?? null, a.max ?? null),
  'Tensor.long': (_c, [x]) => x!.long(),
  'Tensor.double': (_c, [x]) => x!.double(),
  'Tensor.type_as': (_c, [x, y]) => x!.typeAs(y!),
};

/**
 * Jumps, kinks and argmax switches (no finite-difference check; the analytic gradient is still
 * compared with PyTorch's): rounding and modulo, clipping, max/min, |x|; cdist (|.|, max over
 * coordinates); nan_to_num and atan2, whose fixtures hold infinities and magnitudes (1e38, 1e-20)
 * that a finite-difference step cannot resolve.
 */
export const FUNCTION_NON_SMOOTH_OPS: readonly string[] = [
  'trunc',
  'frac',
  'remainder',
  'fmod',
  'clip',
  'cdist',
  'nan_to_num',
  'atan2',
  'torch.max',
  'torch.min',
  'Tensor.abs_',
  'Tensor.relu_',
  'Tensor.clip_',
];
