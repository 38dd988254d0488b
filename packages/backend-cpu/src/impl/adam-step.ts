/**
 * torch.optim.Adam / AdamW's step in one in-place pass over a float32 parameter and its state
 * (core's adamStep contract): each operation is rounded to float32 as core's composite of tensor
 * ops rounds it, so a run with or without this kernel follows the same trajectory bit for bit.
 */
import type { AdamStepOptions } from '@flint/core/backend';
import { adamStepSimd } from './elementwise-wasm.js';

const f = Math.fround;

export function adamStep(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
  options: AdamStepOptions,
): void {
  if (adamStepSimd(param, grad, expAvg, expAvgSq, maxExpAvgSq, options)) return;
  adamStepJs(param, grad, expAvg, expAvgSq, maxExpAvgSq, options);
}

/** The JavaScript loop: the reference, and the path where WebAssembly SIMD is missing. */
export function adamStepJs(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
  options: AdamStepOptions,
): void {
  const { lr, beta1, beta2, weightDecay, maximize, step } = options;
  const decoupled = options.decoupledWeightDecay && weightDecay !== 0;
  const coupled = !options.decoupledWeightDecay && weightDecay !== 0;
  const paramScale = f(1 - lr * weightDecay);
  const decay = f(weightDecay);
  const b1 = f(beta1);
  const b2 = f(beta2);
  const oneMinusB1 = f(1 - beta1);
  const oneMinusB2 = f(1 - beta2);
  const c2 = f(Math.sqrt(1 - beta2 ** step));
  const eps = f(options.eps);
  const negStepSize = f(-(lr / (1 - beta1 ** step)));
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (decoupled) p = f(p * paramScale);
    else if (coupled) g = f(g + f(p * decay));
    const m = f(f(expAvg[i]! * b1) + f(g * oneMinusB1));
    const v = f(f(expAvgSq[i]! * b2) + f(f(g * g) * oneMinusB2));
    expAvg[i] = m;
    expAvgSq[i] = v;
    let second = v;
    if (maxExpAvgSq !== null) {
      const old = maxExpAvgSq[i]!;
      // maximum propagates NaN, as torch.maximum.
      second = Number.isNaN(old) || Number.isNaN(v) ? Number.NaN : Math.max(old, v);
      maxExpAvgSq[i] = second;
    }
    const denom = f(f(f(Math.sqrt(second)) / c2) + eps);
    param[i] = p + f(f(m / denom) * negStepSize);
  }
}
