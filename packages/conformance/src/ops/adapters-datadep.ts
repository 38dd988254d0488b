/**
 * Adapters for fixtures/ops-datadep.json (generate_datadep.py, issue 10 item 4): nonzero/argwhere,
 * unique/unique_consecutive, bincount and histc. Free functions are looked up by name (a missing
 * one fails its case); 'Tensor.*' cases call the method. The cases carry values only (PyTorch has
 * no derivative for these ops).
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { OpAdapter } from './adapters.js';

const uniqueOptions = (a: TorchArgs) => ({
  returnInverse: a.return_inverse ?? false,
  returnCounts: a.return_counts ?? false,
  dim: a.dim ?? null,
  ...(a.sorted === undefined ? {} : { sorted: a.sorted }),
});

export const DATADEP_ADAPTERS: Record<string, OpAdapter> = {
  nonzero: (c, [x], a) => c.fn('nonzero')(x, { asTuple: a.as_tuple ?? false }),
  'Tensor.nonzero': (_c, [x]) => x!.nonzero(),
  argwhere: (c, [x]) => c.fn('argwhere')(x),
  unique: (c, [x], a) => c.fn('unique')(x, uniqueOptions(a)),
  'Tensor.unique': (_c, [x], a) => x!.unique(uniqueOptions(a)),
  unique_consecutive: (c, [x], a) => c.fn('uniqueConsecutive')(x, uniqueOptions(a)),
  'Tensor.unique_consecutive': (_c, [x], a) => x!.uniqueConsecutive(uniqueOptions(a)),
  bincount: (c, [x, w], a) => c.fn('bincount')(x, w ?? null, a.minlength ?? 0),
  'Tensor.bincount': (_c, [x, w], a) => x!.bincount(w ?? null, a.minlength ?? 0),
  histc: (c, [x], a) => c.fn('histc')(x, a.bins ?? 100, a.min ?? 0, a.max ?? 0),
  'Tensor.histc': (_c, [x], a) => x!.histc(a.bins ?? 100, a.min ?? 0, a.max ?? 0),
};
