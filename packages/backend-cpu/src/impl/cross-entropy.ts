/**
 * Cross entropy of [N, C] logits with int32 class indices in one pass per row (core's crossEntropy
 * contract): the row's max and logsumexp, then the picked and (with label smoothing) the summed
 * log-probabilities, all in float64, rounded once into the loss.
 */
import type { CrossEntropyKernelOptions } from '@flint/core/backend';
import { takeF32 } from './buffers.js';

export function crossEntropy(
  x: Float32Array,
  n: number,
  C: number,
  target: Int32Array,
  weight: Float32Array | null,
  options: CrossEntropyKernelOptions,
): { loss: Float32Array; logSumExp: Float32Array } {
  const { ignoreIndex, labelSmoothing: eps, reduction } = options;
  const perRow = reduction === 'none';
  const loss = takeF32(perRow ? n : 1);
  const logSumExp = takeF32(n);
  let total = 0;
  let denominator = 0;
  for (let row = 0; row < n; row++) {
    const base = row * C;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) {
      const v = x[base + c]!;
      if (v > max || Number.isNaN(v)) max = v;
    }
    // An all -inf row shifts by 0 (its logsumexp is -inf, as PyTorch's).
    const shift = max === Number.NEGATIVE_INFINITY ? 0 : max;
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[base + c]! - shift);
    const lse = Math.log(s) + shift;
    logSumExp[row] = lse;
    const t = target[row]!;
    if (t === ignoreIndex) {
      if (perRow) loss[row] = 0;
      continue;
    }
    const tc = t < 0 ? 0 : t >= C ? C - 1 : t;
    const wt = weight === null ? 1 : weight[tc]!;
    let value = -wt * (x[base + tc]! - lse);
    if (eps > 0) {
      let smooth = 0;
      for (let c = 0; c < C; c++) smooth -= (weight === null ? 1 : weight[c]!) * (x[base + c]! - lse);
      value = (1 - eps) * value + (eps / C) * smooth;
    }
    // An out-of-range class cannot raise without a read back: the loss says it with NaN.
    if (t !== tc) value = Number.NaN;
    denominator += wt;
    total += value;
    if (perRow) loss[row] = value;
  }
  if (!perRow) loss[0] = reduction === 'mean' ? total / denominator : total;
  return { loss, logSumExp };
}
