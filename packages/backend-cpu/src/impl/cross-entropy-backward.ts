/**
 * The gradient of crossEntropy w.r.t. its logits (the expression core's rule defines, see core's
 * crossEntropyBackward contract), one pass per row in float64: softmax from the saved logsumexp,
 * minus the (smoothed, weighted) target distribution, times the row's scale.
 */
import type { CrossEntropyKernelOptions } from '@flint/core/backend';
import { takeF32 } from './buffers.js';

export function crossEntropyBackward(
  grad: Float32Array,
  x: Float32Array,
  n: number,
  C: number,
  logSumExp: Float32Array,
  target: Int32Array,
  weight: Float32Array | null,
  options: CrossEntropyKernelOptions,
): Float32Array {
  const { ignoreIndex, labelSmoothing: eps, reduction } = options;
  const out = takeF32(n * C);
  const clampClass = (t: number) => (t < 0 ? 0 : t >= C ? C - 1 : t);
  let scale = reduction === 'none' ? 1 : grad[0]!;
  if (reduction === 'mean') {
    let denominator = 0;
    for (let row = 0; row < n; row++) {
      const t = target[row]!;
      if (t !== ignoreIndex) denominator += weight === null ? 1 : weight[clampClass(t)]!;
    }
    scale /= denominator;
  }
  let weightSum = C;
  if (weight !== null) {
    weightSum = 0;
    for (let c = 0; c < C; c++) weightSum += weight[c]!;
  }
  const keep = 1 - eps;
  const spread = eps / C;
  for (let row = 0; row < n; row++) {
    const base = row * C;
    const t = target[row]!;
    if (t === ignoreIndex) {
      out.fill(0, base, base + C);
      continue;
    }
    const tc = clampClass(t);
    const s = reduction === 'none' ? grad[row]! : scale;
    const wt = weight === null ? 1 : weight[tc]!;
    const onP = s * (keep * wt + spread * weightSum);
    const lse = logSumExp[row]!;
    for (let c = 0; c < C; c++) {
      const wc = weight === null ? 1 : weight[c]!;
      const targetMass = spread * wc + (c === tc ? keep * wt : 0);
      out[base + c] = onP * Math.exp(x[base + c]! - lse) - s * targetMass;
    }
  }
  return out;
}
