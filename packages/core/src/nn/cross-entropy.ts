/**
 * Cross entropy of [C] / [N, C] logits with int32 class indices through the optional crossEntropy
 * kernel: log-softmax and NLL in one pass instead of ~40 kernels and fills, and one gradient rule
 * (written here, in core) instead of the ~30 kernels of the composite's chain rule. The rule calls
 * the crossEntropyBackward kernel when it has one and nothing records the backward; otherwise (a
 * backend without it, or createGraph) it composes the same expression from differentiable ops, so
 * double backward works as in PyTorch. Backends without crossEntropy take the composite in
 * functional.ts, which stays the reference.
 */
import type { CrossEntropyKernelOptions } from '../backend/kernels.js';
import { isGradEnabled, noGrad } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ew from '../ops/elementwise.js';
import { oneHotKernel } from '../ops/optional-kernels.js';
import { op, recordGrad, type OpSpec } from '../ops/op.js';
import { output } from '../ops/util.js';

const CROSS_ENTROPY: OpSpec = { name: 'crossEntropy' };

/**
 * The fused cross entropy, or null where it does not apply (the caller composes): logits of rank
 * 1 or 2 with at least one class, a backend with the kernel, and no weight that requires grad (the
 * composite differentiates the weight too) or inference tensor (which the rule could not save).
 * Inputs are validated by the caller.
 */
export function fusedCrossEntropy(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  options: CrossEntropyKernelOptions,
): Tensor | null {
  const kernel = input.backend.kernels.crossEntropy;
  if (kernel === undefined || input.ndim > 2 || input.shape[input.ndim - 1] === 0) return null;
  if (target._inference || weight?._inference === true || weight?.requiresGrad === true) return null;
  const tensors = weight === null ? [input, target] : [input, target, weight];
  return op(CROSS_ENTROPY, tensors, (backend) => {
    // [C] logits with a [] target are one row.
    const x = input.ndim === 1 ? input.reshape([1, input.shape[0]!]) : input;
    const t = target.ndim === 0 ? target.reshape([1]) : target;
    const n = x.shape[0]!;
    const result = kernel(x.ref, t.ref, weight?.ref ?? null, options);
    const loss = output(backend, result.loss, options.reduction === 'none' ? [n] : [], 'float32');
    const logSumExp = output(backend, result.logSumExp, [n], 'float32');
    const save = weight === null ? [x, logSumExp, t] : [x, logSumExp, t, weight];
    const recorded = recordGrad(loss, [x], save, (g, [sx, lse, st, sw]) => [
      crossEntropyGradient(g, sx!, lse!, st!, sw ?? null, options),
    ]);
    return input.ndim === 1 && options.reduction === 'none' ? recorded.reshape([]) : recorded;
  });
}

/** d loss / d logits [N, C] (the formula is crossEntropyBackward's in backend/kernels.ts). */
function crossEntropyGradient(
  g: Tensor,
  x: Tensor,
  logSumExp: Tensor,
  target: Tensor,
  weight: Tensor | null,
  options: CrossEntropyKernelOptions,
): Tensor {
  const backend = x.backend;
  const kernel = backend.kernels.crossEntropyBackward;
  if (kernel !== undefined && !isGradEnabled())
    return output(
      backend,
      kernel(g.ref, x.ref, logSumExp.ref, target.ref, weight?.ref ?? null, options),
      x.shape,
      'float32',
    );
  const C = x.shape[1]!;
  const { ignoreIndex, labelSmoothing: eps, reduction } = options;
  // The constants of the expression (no gradient flows into targets or class weights).
  const { rowWeight, targetDist, denominator, validRows } = noGrad(() => {
    const ignored = target.eq(ignoreIndex);
    const valid = ignored.logicalNot().float();
    const safe = ew.where(ignored, 0, target.clamp(0, C - 1)).int();
    const picked = weight === null ? valid : weight.indexSelect(0, safe).mul(valid); // w[tc], 0 if ignored
    const hot = oneHotKernel(safe, C, 'float32').mul(picked.mul(1 - eps).unsqueeze(1));
    // p's coefficient per row: (1 - eps) w[tc] + eps / C * sum_c w[c]; the target distribution
    // it is compared with: (1 - eps) w[tc] [c == tc] + eps / C * w[c].
    const weightSum = weight === null ? C : weight.sum();
    const spread = valid.unsqueeze(1).mul(eps / C);
    return {
      rowWeight: picked
        .mul(1 - eps)
        .add(valid.mul(weightSum).mul(eps / C))
        .unsqueeze(1),
      targetDist: hot.add(weight === null ? spread : spread.mul(weight)),
      denominator: picked.sum(),
      validRows: ignored.logicalNot().unsqueeze(1),
    };
  });
  const scale = reduction === 'none' ? g.unsqueeze(1) : reduction === 'mean' ? g.div(denominator) : g;
  // Ignored rows get 0, also when every row is ignored ('mean' then scales by 1 / 0).
  return ew.where(validRows, x.softmax(1).mul(rowWeight).sub(targetDist).mul(scale), 0);
}
