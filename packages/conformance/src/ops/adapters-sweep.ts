/**
 * Adapters for fixtures/ops-sweep.json (generate_sweep.py, the differential sweep of edge cases).
 * Most sweep cases use the stock adapters, or their 'op:edge' twins without the finite-difference
 * check (adapters-fidelity.ts's, and sum/prod/cumprod below). 'op:unbiased' passes var/std's
 * legacy flag. 'op:weighted' cases store class weights / pos_weight as list arguments (PyTorch
 * gives them no gradient there), which these adapters upload as float32 tensors on the input's
 * device.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { AdapterContext, OpAdapter, Tensor } from './adapters.js';

/** snake_case keywords -> camelCase options, with the listed list arguments as tensors. */
function weightedOptions(c: AdapterContext, like: Tensor, a: TorchArgs, tensorKeys: readonly string[]) {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()),
      tensorKeys.includes(k) ? c.api.tensor(v as number[], { device: like.device }) : v,
    ]),
  );
}

export const SWEEP_ADAPTERS: Record<string, OpAdapter> = {
  'F.cross_entropy:weighted': (c, [x, y], a) => c.F('crossEntropy')(x, y, weightedOptions(c, x!, a, ['weight'])),
  'F.nll_loss:weighted': (c, [x, y], a) => c.F('nllLoss')(x, y, weightedOptions(c, x!, a, ['weight'])),
  'F.binary_cross_entropy_with_logits:weighted': (c, [x, y], a) =>
    c.F('binaryCrossEntropyWithLogits')(x, y, weightedOptions(c, x!, a, ['pos_weight'])),
  // the stock sum/prod/cumprod calls, for inputs holding NaN/±inf (no finite-difference check)
  'sum:edge': (_c, [x], a) => x!.sum(a.dim ?? null, a.keepdim ?? false),
  'prod:edge': (_c, [x], a) => x!.prod(a.dim ?? null, a.keepdim ?? false),
  'cumprod:edge': (_c, [x], a) => x!.cumprod(a.dim),
  /** torch.div(a, b | other, rounding_mode=...), as the method and the free function. */
  'div:rounding': (c, [a, b], args) =>
    args.method === true
      ? a!.div(b ?? args.other, { roundingMode: args.rounding_mode })
      : c.fn('div')(a, b ?? args.other, { roundingMode: args.rounding_mode }),
  /** The legacy `unbiased=` flag (the stock var/std adapters pass `correction` only). */
  'var:unbiased': (_c, [x], a) => x!.var(a.dim ?? null, { unbiased: a.unbiased, keepdim: a.keepdim ?? false }),
  'std:unbiased': (_c, [x], a) => x!.std(a.dim ?? null, { unbiased: a.unbiased, keepdim: a.keepdim ?? false }),
};

/**
 * Inputs with NaN/±inf, and rounded quotients (steps): central differences are meaningless there
 * (PyTorch's gradient is still compared).
 */
export const SWEEP_NON_SMOOTH_OPS: readonly string[] = ['sum:edge', 'prod:edge', 'cumprod:edge', 'div:rounding'];
