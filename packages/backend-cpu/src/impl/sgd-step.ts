/**
 * torch.optim.SGD's step in one in-place pass over a float32 parameter (core's sgdStep contract):
 * each operation is rounded to float32 as core's composite of tensor ops rounds it, so a run with
 * or without this kernel follows the same trajectory bit for bit.
 */
import type { SgdStepOptions } from '@flint/core/backend';
import { sgdStepSimd } from './elementwise-wasm.js';

const f = Math.fround;

export function sgdStep(
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | null,
  options: SgdStepOptions,
): void {
  if (sgdStepSimd(param, grad, momentumBuffer, options)) return;
  sgdStepJs(param, grad, momentumBuffer, options);
}

/** The JavaScript loop: the reference, and the path where WebAssembly SIMD is missing. */
export function sgdStepJs(
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | null,
  options: SgdStepOptions,
): void {
  const { nesterov, maximize, firstStep } = options;
  const weightDecay = f(options.weightDecay);
  const momentum = f(options.momentum);
  const keep = f(1 - options.dampening);
  const negLr = f(-options.lr);
  const decay = options.weightDecay !== 0;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let d = maximize ? -grad[i]! : grad[i]!;
    if (decay) d = f(d + f(p * weightDecay));
    if (momentumBuffer !== null) {
      const buf = firstStep ? d : f(f(momentumBuffer[i]! * momentum) + f(d * keep));
      momentumBuffer[i] = buf;
      d = nesterov ? f(d + f(buf * momentum)) : buf;
    }
    param[i] = p + f(d * negLr);
  }
}
