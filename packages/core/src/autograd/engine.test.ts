import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { memory, noGrad, enableGrad, ones, randn, tensor, tidy, manualSeed, zeros } from '../index.js';

const values = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());

describe('autograd engine', () => {
  it('accumulates into .grad across backward calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(values(x.grad!)).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(values(x.grad!)).toEqual([5, 7, 9]);
  });

  it('sums gradients of a tensor used on several paths', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).mul(x).add(x.exp()).add(x); // 3x^2 + e^x + 1
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(12 + Math.exp(2) + 1, 4);
  });

  it('backward() of a non-scalar without a gradient names the shape', () => {
    const x = randn(2, 3, { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/implicitly created only for scalar outputs.*\[2, 3\]/);
  });

  it('backward(gradient) of a non-scalar uses the given gradient', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).backward(tensor([1, 0.5, 2]));
    expect(values(x.grad!)).toEqual([2, 2, 12]);
  });

  it('a second backward through a freed graph fails; retainGraph allows it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(values(x.grad!)[0]).toBeCloseTo(2 * Math.E, 4);
    expect(() => z.backward()).toThrow(/backward through the graph a second time/);
  });

  it('tensors that do not require grad cannot backward', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  it('noGrad records nothing; enableGrad inside noGrad records again', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
  });

  it('detach cuts the graph and shares data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(values(d)).toEqual([2, 4]);
  });

  it('an in-place change to a saved tensor is detected at backward', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    const y = h.square(); // saves its input h
    noGrad(() => h.add_(1));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it('in-place on a leaf that requires grad is refused outside noGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.add_(1)).toThrow(/leaf Variable that requires grad/);
    noGrad(() => x.add_(1));
    expect(values(x)).toEqual([2, 3]);
  });

  it('retainGrad fills .grad of a non-leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.square().sum().backward();
    expect(values(h.grad!)).toEqual([6, 12]);
    expect(values(x.grad!)).toEqual([18, 36]);
  });

  it('createGraph gives second derivatives', () => {
    const x = tensor([3], { requiresGrad: true });
    const y = x.pow(3); // y' = 3x^2, y'' = 6x
    y.backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.item()).toBeCloseTo(27, 4);
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.backward();
    expect(x.grad!.item()).toBeCloseTo(18, 4);
  });

  it('backward frees saved tensors; a tidy training step does not grow memory', () => {
    manualSeed(0);
    const w = randn(8, 4, { requiresGrad: true });
    const x = randn(16, 8);
    const step = (): void =>
      tidy(() => {
        const loss = x.matmul(w).sigmoid().square().mean();
        loss.backward();
        noGrad(() => w.sub_(w.grad!.mul(0.1)));
        w.grad!.dispose();
        w.grad = null;
      });
    step();
    const before = memory().handles;
    for (let i = 0; i < 20; i++) step();
    expect(memory().handles).toBe(before);
  });

  it('gradients flow through broadcasting back to the input shape', () => {
    const a = ones(3, 1, { requiresGrad: true });
    const b = zeros(4, { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.shape).toEqual([3, 1]);
    expect(values(a.grad!)).toEqual([4, 4, 4]);
    expect(values(b.grad!)).toEqual([3, 3, 3, 3]);
  });

  it('a graph that never runs backward is freed when its tensors are disposed', () => {
    const w = randn(4, 4, { requiresGrad: true });
    const before = memory().handles;
    tidy(() => {
      // Forward with grad on (as an eval loop that forgot noGrad): nodes save inputs and outputs.
      w.matmul(w).sigmoid().exp().square().sum();
    });
    expect(memory().handles).toBe(before);
    // A tensor kept out of tidy keeps its graph until it is disposed.
    const kept = tidy(() => w.matmul(w).sigmoid().sum());
    expect(memory().handles).toBeGreaterThan(before + 1);
    kept.dispose();
    expect(memory().handles).toBe(before);
  });
});
