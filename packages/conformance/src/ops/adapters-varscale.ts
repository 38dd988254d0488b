/**
 * Adapters for fixtures/ops-varscale.json (generate_varscale.py): var/std of values whose float32
 * squares overflow or underflow (|x| ~ 1e19..1e30, ~1e-30), which PyTorch's cpu kernel survives by
 * accumulating in double. The stock var/std calls under ':scaled' names, because a central
 * difference with the suite's step (at most 1e-2) does not move a value of 1e30 in float32: only
 * PyTorch's gradient is compared.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { OpAdapter } from './adapters.js';

const dimOf = (a: TorchArgs): number | number[] | null => (a.dim === undefined ? null : a.dim);

export const VARSCALE_ADAPTERS: Record<string, OpAdapter> = {
  'var:scaled': (_c, [x], a) => x!.var(dimOf(a), { correction: a.correction, keepdim: a.keepdim ?? false }),
  'std:scaled': (_c, [x], a) => x!.std(dimOf(a), { correction: a.correction, keepdim: a.keepdim ?? false }),
};

export const VARSCALE_NON_SMOOTH_OPS: readonly string[] = Object.keys(VARSCALE_ADAPTERS);
