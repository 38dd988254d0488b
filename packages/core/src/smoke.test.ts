import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { tensor, randn, manualSeed, memory, tidy, noGrad, zeros } from './index.js';

describe('smoke', () => {
  it('autograd through mul/add/sum', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).add(x.mul(2)).sum();
    y.backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([4, 6, 8]);
    console.log(y.toString(), x.toString(), x.grad!.toString());
  });
  it('matmul grads', () => {
    manualSeed(0);
    const a = randn(3, 4, { requiresGrad: true });
    const b = randn(4, 2, { requiresGrad: true });
    const l = a.matmul(b).sum();
    l.backward();
    console.log(a.grad!.toString());
    const ones = zeros(3, 2).add(1);
    const expected = ones.matmul(b.t());
    expect(Array.from(a.grad!.dataSync())).toEqual(Array.from(expected.dataSync()));
  });
  it('tidy frees', () => {
    const before = memory().handles;
    tidy(() => {
      const a = randn(10, 10);
      a.exp().sum(0).softmax(0).logSoftmax(0).max();
    });
    expect(memory().handles).toBe(before);
    console.log(noGrad(() => randn(2, 3, 4).sum([1, 2], true).toString()));
  });
});
