/** Test helpers for the nn tests (excluded from the build). */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fromArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';

export interface Encoded {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: (number | string)[];
}

const decodeNum = (v: number | string): number =>
  typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;

/** A tensor from the conformance fixtures' encoding. */
export function decode(e: Encoded, requiresGrad = false): Tensor {
  const values = e.dtype === 'float32' ? Float32Array.from(e.data, decodeNum) : Int32Array.from(e.data, decodeNum);
  return fromArray(values, e.shape, { dtype: e.dtype, requiresGrad });
}

/** PyTorch-generated fixtures in packages/conformance/fixtures. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../conformance/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Assert |a - e| <= atol + rtol |e| elementwise (NaN matches NaN), with a useful message. */
export function expectClose(
  actual: Tensor | ArrayLike<number>,
  expected: Tensor | ArrayLike<number> | Encoded,
  rtol = 1e-4,
  atol = 1e-5,
  what = '',
): void {
  const a = Array.from(isTensor(actual) ? actual.dataSync() : actual);
  let e: number[];
  if (isEncoded(expected)) {
    e = expected.data.map(decodeNum);
    if (isTensor(actual)) expect([...actual.shape], `${what} shape`).toEqual(expected.shape);
  } else e = Array.from(isTensor(expected) ? expected.dataSync() : expected);
  if (isTensor(actual) && isTensor(expected)) expect([...actual.shape], `${what} shape`).toEqual([...expected.shape]);
  expect(a.length, `${what} length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const ok =
      (Number.isNaN(a[i]!) && Number.isNaN(e[i]!)) ||
      a[i] === e[i] ||
      Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok)
      throw new Error(
        `${what} element ${i}: got ${a[i]}, expected ${e[i]} (rtol ${rtol}, atol ${atol})\n got ${a.slice(0, 12).join(', ')}\n exp ${e.slice(0, 12).join(', ')}`,
      );
  }
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dataSync' in v;
}
function isEncoded(v: unknown): v is Encoded {
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
