/**
 * var/std of values whose float32 squares overflow or underflow: PyTorch's cpu kernel accumulates
 * in double (torch 1.13: tensor([1e30, -1e30, 1e30]).std() = 1.1547e30), so core scales such
 * slices by their max |x|. Relative checks (the fixtures' atol cannot see 1e-30), float64
 * references for the gradients, and ordinary inputs unchanged bit for bit.
 */
import { describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import * as f from '../index.js';

f.setBackend('cpu');

function expectRelative(got: number, want: number, rtol = 1e-6): void {
  expect(Math.abs(got - want) / Math.abs(want), `${got} vs ${want}`).toBeLessThan(rtol);
}

/** float64 sample std / var of plain numbers (two-pass). */
function reference(xs: number[], correction = 1): { variance: number; std: number; mean: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - correction);
  return { variance, std: Math.sqrt(variance), mean };
}

describe('var/std do not overflow or underflow where PyTorch does not', () => {
  it('std of [1e30, -1e30, 1e30] = 1.1547e30 (was Infinity), its gradient (x - mean) / ((n - 1) std)', () => {
    const values = [1e30, -1e30, 1e30].map(Math.fround);
    const x = f.tensor(values, { requiresGrad: true });
    const s = x.std();
    const want = reference(values);
    expectRelative(s.item(), want.std);
    s.backward();
    const grads = x.grad!.tolist() as number[];
    values.forEach((v, i) => {
      expectRelative(grads[i]!, (v - want.mean) / (2 * want.std));
    });
  });

  it('std of tiny values (squares underflow): [1e-30, -1e-30, 2e-30] = 1.5275e-30 (was 0)', () => {
    const values = [1e-30, -1e-30, 2e-30].map(Math.fround);
    expectRelative(f.tensor(values).std().item(), reference(values).std);
  });

  it('var whose sum of squares overflows: eight +-1e19 (var 1.1429e38), gradient 2 (x - mean) / (n - 1)', () => {
    const values = [1e19, -1e19, 1e19, -1e19, 1e19, -1e19, 1e19, -1e19].map(Math.fround);
    const x = f.tensor(values, { requiresGrad: true });
    const v = x.var();
    const want = reference(values);
    expectRelative(v.item(), want.variance);
    v.backward();
    const grads = x.grad!.tolist() as number[];
    values.forEach((value, i) => {
      expectRelative(grads[i]!, (2 * (value - want.mean)) / 7);
    });
    // the variance itself past float32's max is inf, as PyTorch's
    expect(f.tensor([1e30, -1e30, 1e30]).var().item()).toBe(Infinity);
  });

  it('per slice: a huge row next to an ordinary one, keepdim', () => {
    const s = f
      .tensor([
        [1e30, -1e30, 1e30],
        [1, 2, 4],
      ])
      .std(1, { keepdim: true });
    expect(s.shape).toEqual([2, 1]);
    const rows = s.tolist() as number[][];
    const huge = rows[0]![0]!;
    const ordinary = rows[1]![0]!;
    expectRelative(huge, reference([1e30, -1e30, 1e30].map(Math.fround)).std);
    expectRelative(ordinary, reference([1, 2, 4]).std);
  });

  it('ordinary inputs give the same float32 results as the plain two-pass formula; NaN and inf stay NaN', () => {
    const x = f.randn([4, 7]).mul(3).add(1);
    const plain = x.sub(x.mean(1, true)).square().sum(1).div(6);
    expect(x.var(1).tolist()).toEqual(plain.tolist());
    expect(x.std(1).tolist()).toEqual(plain.sqrt().tolist());
    expect(f.tensor([1, Number.NaN, 3]).std().item()).toBeNaN();
    expect(f.tensor([1, Infinity, 3]).var().item()).toBeNaN();
    expect(f.zeros([3]).std().item()).toBe(0);
  });

  it('second derivative through var (createGraph): d/dx of sum(dvar/dx * w) = 2 (w - mean(w)) / (n - 1)', () => {
    const x = f.tensor([1, 2, 4, 8], { requiresGrad: true });
    const w = f.tensor([0.5, -1, 2, 0.25]);
    const [g] = f.autograd.grad([x.var()], [x], { createGraph: true });
    const [h] = f.autograd.grad([g!.mul(w).sum()], [x]);
    const wMean = (0.5 - 1 + 2 + 0.25) / 4;
    const hv = h!.tolist() as number[];
    [0.5, -1, 2, 0.25].forEach((wi, i) => {
      expect(hv[i]!).toBeCloseTo((2 * (wi - wMean)) / 3, 6);
    });
  });
});
