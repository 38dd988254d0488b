/**
 * Adapters for the differential audit (audit/generate_cases.py, audit/replay.ts) and for the
 * fixtures it turned up (fixtures/generate_audit.py -> ops-audit.json): PyTorch calls that the
 * other adapter tables do not spell (scalar operands, squeeze/flatten/split, all/any with a dim,
 * weighted losses, layer/batch norm, eval-mode dropout). 'audit.<name>' keeps them apart from the
 * stock adapters, which drop some of these arguments.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { AdapterResult, OpAdapter, Tensor } from './adapters.js';

type Method = (this: Tensor, ...args: unknown[]) => AdapterResult;
const method = (x: Tensor, name: string, ...args: unknown[]): AdapterResult => {
  const m = (x as unknown as Record<string, Method | undefined>)[name];
  if (typeof m !== 'function') throw new Error(`Tensor.${name} is missing`);
  return m.apply(x, args);
};

const lossOptions = (a: TorchArgs): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]),
  );

const SCALAR_METHODS: Record<string, string> = {
  add: 'add',
  sub: 'sub',
  mul: 'mul',
  div: 'div',
  pow: 'pow',
  remainder: 'remainder',
  fmod: 'fmod',
  floor_divide: 'floorDivide',
  eq: 'eq',
  lt: 'lt',
  gt: 'gt',
};

export const AUDIT_ADAPTERS: Record<string, OpAdapter> = {
  ...Object.fromEntries(
    Object.entries(SCALAR_METHODS).map(([op, name]): [string, OpAdapter] => [
      `audit.scalar_${op}`,
      (_c, [x], a) => method(x!, name, a.other),
    ]),
  ),
  'audit.gelu': (c, [x], a) => c.F('gelu')(x, { approximate: a.approximate }),
  'audit.all': (_c, [x], a) => (a.dim === undefined ? x!.all() : method(x!, 'all', a.dim, a.keepdim ?? false)),
  'audit.any': (_c, [x], a) => (a.dim === undefined ? x!.any() : method(x!, 'any', a.dim, a.keepdim ?? false)),
  'audit.squeeze': (_c, [x], a) => x!.squeeze(a.dim),
  'audit.unsqueeze': (_c, [x], a) => x!.unsqueeze(a.dim),
  'audit.flatten': (_c, [x], a) => x!.flatten(a.start_dim, a.end_dim),
  'audit.split': (_c, [x], a) => x!.split(a.split_size_or_sections, a.dim),
  'audit.chunk': (_c, [x], a) => x!.chunk(a.chunks, a.dim),
  'audit.cross_entropy_weighted': (c, [x, y, w], a) =>
    c.F('crossEntropy')(x, y, { ...lossOptions(a), weight: w!.detach() }),
  'audit.nll_loss_weighted': (c, [x, y, w], a) => c.F('nllLoss')(x, y, { ...lossOptions(a), weight: w!.detach() }),
  'audit.bce_logits_pos_weight': (c, [x, y, p], a) =>
    c.F('binaryCrossEntropyWithLogits')(x, y, { ...lossOptions(a), posWeight: p }),
  'audit.layer_norm': (c, [x], a) => c.F('layerNorm')(x, a.normalized_shape),
  'audit.layer_norm_affine': (c, [x, w, b], a) => c.F('layerNorm')(x, a.normalized_shape, w, b, a.eps),
  'audit.batch_norm': (c, [x, rm, rv, w, b], a) =>
    c.F('batchNorm')(x, rm!.detach().clone(), rv!.detach().clone(), w, b, {
      training: a.training,
      momentum: a.momentum,
      eps: a.eps,
    }),
  'audit.dropout_eval': (c, [x], a) => c.F('dropout')(x, a.p, false),
  'audit.msort': (c, [x]) => c.fn('msort')(x),
  'audit.topk': (c, [x], a) => {
    const r = c.fn('topk')(x, a.k, a.dim) as unknown as { values: Tensor; indices: Tensor };
    return [r.values, r.indices];
  },
  'audit.median': (c, [x]) => c.fn('median')(x),
};

/** Kinks and selections among the audit's ops (no finite-difference check). */
export const AUDIT_NON_SMOOTH_OPS: readonly string[] = [
  'audit.scalar_remainder',
  'audit.scalar_fmod',
  'audit.msort',
  'audit.topk',
  'audit.median',
];
