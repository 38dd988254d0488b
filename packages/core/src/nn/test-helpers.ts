/** Test helpers for the nn tests (excluded from the build). */
import { expect } from 'vitest';
import { expectClose as expectCloseValues, reference, type HostTensor } from '@flint/conformance';
import { fromArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';

/** A tensor from a conformance fixture tensor (loaded with @flint/conformance's loaders). */
export function decode(t: HostTensor, requiresGrad = false): Tensor {
  return fromArray(reference.typedArrayOf(t), t.shape, { dtype: t.dtype, requiresGrad });
}

/**
 * @flint/conformance's `expectClose` (|a - e| <= atol + rtol |e| elementwise, NaN matches NaN) on
 * tensors, arrays or fixture tensors, after checking the shapes agree where both sides have one.
 */
export function expectClose(
  actual: Tensor | ArrayLike<number>,
  expected: Tensor | ArrayLike<number> | HostTensor,
  rtol = 1e-4,
  atol = 1e-5,
  what = '',
): void {
  const a = isTensor(actual) ? actual.dataSync() : actual;
  let e: ArrayLike<number>;
  if (isHostTensor(expected)) {
    e = expected.data;
    if (isTensor(actual)) expect([...actual.shape], `${what} shape`).toEqual([...expected.shape]);
  } else e = isTensor(expected) ? expected.dataSync() : expected;
  if (isTensor(actual) && isTensor(expected)) expect([...actual.shape], `${what} shape`).toEqual([...expected.shape]);
  expectCloseValues(a, e, { rtol, atol }, what);
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dataSync' in v;
}
function isHostTensor(v: unknown): v is HostTensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && !('dataSync' in v);
}

/**
 * Central finite differences of the scalar `f` w.r.t. every element of every tensor in `wrt`
 * (float32, perturbed in place through their storage), compared with the autograd gradients.
 */
export function gradcheck(
  f: () => Tensor,
  wrt: Tensor[],
  options: { eps?: number; rtol?: number; atol?: number } = {},
): void {
  const eps = options.eps ?? 1e-2;
  const rtol = options.rtol ?? 2e-2;
  const atol = options.atol ?? 2e-3;
  for (const t of wrt) t.grad = null;
  const loss = f();
  loss.backward();
  const analytic = wrt.map((t) => Array.from(t.grad!.dataSync()));
  const evalAt = (t: Tensor, base: Float32Array, i: number, v: number): number => {
    const data = Float32Array.from(base);
    data[i] = v;
    noGrad(() => t.copy_(fromArray(data, t.shape)));
    return noGrad(() => f().item());
  };
  wrt.forEach((t, k) => {
    const base = Float32Array.from(t.dataSync());
    for (let i = 0; i < base.length; i++) {
      const plus = evalAt(t, base, i, base[i]! + eps);
      const minus = evalAt(t, base, i, base[i]! - eps);
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[k]![i]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${k} element ${i}: autograd ${a}, finite difference ${numeric}`);
      }
    }
    noGrad(() => t.copy_(fromArray(base, t.shape)));
  });
}
