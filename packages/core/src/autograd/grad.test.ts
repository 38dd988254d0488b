import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { autograd, memory, tensor, tidy, type Tensor } from '../index.js';

const values = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());
const close = (actual: number[], expected: number[], digits = 4): void => {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, digits);
};

// Expected values are PyTorch's (torch 1.13) for the same programs, or closed forms.
describe('autograd.grad', () => {
  it('returns gradients of leaf and non-leaf inputs and leaves .grad alone', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const h = x.exp();
    const y = h.mul(h).sum();
    const [gh, gx] = autograd.grad(y, [h, x]);
    close(values(gh), [5.4366, 14.7781, 40.1711], 3); // 2 e^x
    close(values(gx), [14.7781, 109.1963, 806.8576], 2); // 2 e^2x
    expect(x.grad).toBeNull();
    expect(h.grad).toBeNull();
  });

  it('gradOutputs weight the outputs (a vector-Jacobian product); several outputs sum', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = autograd.grad([x.mul(x), x.mul(3)], x, { gradOutputs: [tensor([1, 10]), tensor([2, 2])] });
    expect(values(g)).toEqual([2 * 1 + 6, 10 * 4 + 6]);
  });

  it('non-scalar outputs need gradOutputs of their shape (PyTorch messages)', () => {
    const a = tensor([1, 1, 1], { requiresGrad: true });
    expect(() => autograd.grad(a.mul(2), a)).toThrow(/grad can be implicitly created only for scalar outputs/);
    expect(() => autograd.grad(a.mul(2), a, { gradOutputs: tensor([1, 1]) })).toThrow(
      /Mismatch in shape: grad_output\[0\] has a shape of \[2\] and output\[0\] has a shape of \[3\]/,
    );
  });

  it('allowUnused: an input the outputs do not use is an error, or null, or zeros', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    expect(() => autograd.grad(a.mul(2).sum(), [a, b])).toThrow(
      'One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.',
    );
    const [ga, gb] = autograd.grad(a.mul(2).sum(), [a, b], { allowUnused: true });
    expect(values(ga)).toEqual([2, 2]);
    expect(gb).toBeNull();
    const [, zeros] = autograd.grad(a.mul(2).sum(), [a, b], { materializeGrads: true });
    expect(values(zeros)).toEqual([0, 0]);
  });

  it('inputs must require grad, outputs must have a graph', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    expect(() => autograd.grad(a.mul(2).sum(), tensor([1, 2]))).toThrow(
      'One of the differentiated Tensors does not require grad',
    );
    expect(() => autograd.grad(tensor([1, 2]).sum(), a)).toThrow(
      'element 0 of tensors does not require grad and does not have a grad_fn',
    );
  });

  it('frees the graph unless retainGraph; retainGraph lets it run again', () => {
    const x = tensor([0.5], { requiresGrad: true });
    const y = x.tanh();
    autograd.grad(y, x, { retainGraph: true });
    const [g] = autograd.grad(y, x);
    expect(g!.item()).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 6);
    expect(() => autograd.grad(y, x)).toThrow(/Trying to backward through the graph a second time/);
  });

  it('createGraph: second and third derivatives of tanh and x^3', () => {
    const x = tensor([0.3, -1.2], { requiresGrad: true });
    const [d1] = autograd.grad(x.tanh().sum(), x, { createGraph: true });
    const [d2] = autograd.grad(d1!.sum(), x, { createGraph: true });
    const [d3] = autograd.grad(d2!.sum(), x);
    const t = [Math.tanh(0.3), Math.tanh(-1.2)];
    close(
      values(d1),
      t.map((v) => 1 - v * v),
    );
    close(
      values(d2),
      t.map((v) => -2 * v * (1 - v * v)),
    );
    close(
      values(d3),
      t.map((v) => -2 * (1 - v * v) * (1 - 3 * v * v)),
    );
    const c = tensor([2, -3], { requiresGrad: true });
    const [c1] = autograd.grad(c.pow(3).sum(), c, { createGraph: true });
    const [c2] = autograd.grad(c1!.sum(), c, { createGraph: true });
    const [c3] = autograd.grad(c2!.sum(), c);
    expect(values(c2)).toEqual([12, -18]);
    expect(values(c3)).toEqual([6, 6]);
  });

  it('a Hessian-vector product of an MLP-style loss matches the closed form', () => {
    // f(w) = sum(tanh(A w)^2); H v = A^T diag(2 (1 - 3 t^2)(1 - t^2)) A v with t = tanh(A w).
    const A = [
      [0.5, -1, 0.25],
      [1.5, 0.5, -0.5],
    ];
    const w0 = [0.2, -0.4, 0.6];
    const v0 = [1, 0.5, -2];
    const w = tensor(w0, { requiresGrad: true });
    const loss = tensor(A).matmul(w).tanh().square().sum();
    const [g] = autograd.grad(loss, w, { createGraph: true });
    const [hv] = autograd.grad(g!, w, { gradOutputs: tensor(v0) });
    const expected = [0, 0, 0];
    for (const row of A) {
      const t = Math.tanh(row.reduce((s, a, j) => s + a * w0[j]!, 0));
      const av = row.reduce((s, a, j) => s + a * v0[j]!, 0);
      const k = 2 * (1 - 3 * t * t) * (1 - t * t) * av;
      row.forEach((a, j) => {
        expected[j] = expected[j]! + a * k;
      });
    }
    close(values(hv), expected);
  });

  it('frees everything a createGraph pass built once its tensors are disposed', () => {
    const x = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    const before = memory().handles;
    tidy(() => {
      const [g] = autograd.grad(x.sigmoid().mul(x).sum(), x, { createGraph: true });
      const [h] = autograd.grad(g!.sum(), x);
      return h!;
    }).dispose();
    expect(memory().handles).toBe(before);
  });
});

describe('backward', () => {
  it('backward(createGraph) through a chain gives the second derivative (saved outputs stay connected)', () => {
    // Before: tanh saves its output without its graph, so x.grad had no graph and this threw.
    const x = tensor([0.7], { requiresGrad: true });
    x.tanh().tanh().backward({ createGraph: true });
    const g = x.grad!;
    x.grad = null;
    g.backward();
    const t1 = Math.tanh(0.7);
    const t2 = Math.tanh(t1);
    const expected = -2 * t2 * (1 - t2 * t2) * (1 - t1 * t1) ** 2 + (1 - t2 * t2) * (-2 * t1 * (1 - t1 * t1));
    expect(x.grad!.item()).toBeCloseTo(expected, 5);
  });

  it('inputs: only those tensors accumulate, a non-leaf among them included', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.mul(b)
      .sum()
      .backward({ inputs: [a] });
    expect(values(a.grad)).toEqual([3, 4]);
    expect(b.grad).toBeNull();
    const h = a.mul(2);
    h.square().sum().backward(undefined, { inputs: h });
    expect(values(h.grad)).toEqual([4, 8]);
    expect(values(a.grad)).toEqual([3, 4]);
    expect(() => a.sum().backward({ inputs: [] })).toThrow(/cannot be empty/);
  });

  it('a graph whose nodes saved nothing can run backward twice (as PyTorch)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    expect(values(x.grad)).toEqual([2, 2]);
  });

  it('autograd.backward takes several tensors and their gradients', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    autograd.backward([x.mul(x), x.sum()], { gradTensors: [tensor([1, 1]), null] });
    expect(values(x.grad)).toEqual([3, 5]);
  });
});

describe('in-place ops in a graph (PyTorch rebases the history)', () => {
  it('h.mul_(3) on a non-leaf is differentiated (it was silently ignored: grad 2 instead of 6)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.add_(3);
    h.mul_(3);
    expect(h.gradFn?.name).toBe('mul');
    h.sum().backward();
    expect(values(x.grad)).toEqual([6, 6]);
  });

  it('x.mul_(w) keeps the old x for w’s gradient; pow_ keeps its base', () => {
    const x = tensor([2, 2, 2]);
    const w = tensor([1, 2, 3], { requiresGrad: true });
    x.mul_(w);
    expect(x.requiresGrad).toBe(true);
    x.sum().backward();
    expect(values(w.grad)).toEqual([2, 2, 2]);
    w.grad = null;
    const h = w.mul(1);
    h.pow_(2);
    h.sum().backward();
    expect(values(w.grad)).toEqual([2, 4, 6]);
  });

  it('zero_ / fill_ on a non-leaf send a zero gradient to the old history', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const h = w.mul(1);
    h.zero_();
    h.add(w).sum().backward();
    expect(values(w.grad)).toEqual([1, 1, 1]);
  });

  it('a value saved by an earlier op and then changed in place is still an error', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    const y = h.square();
    h.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});

describe('Tensor.registerHook and retainGrad', () => {
  it('a hook on a non-leaf sees and replaces its gradient; retainGrad keeps the replaced one', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(2);
    const seen: number[][] = [];
    const handle = h.registerHook((g) => {
      seen.push(values(g));
      return g.mul(10);
    });
    h.retainGrad();
    h.mul(h).sum().backward();
    expect(seen).toEqual([[4, 8, 12]]);
    expect(values(x.grad)).toEqual([80, 160, 240]);
    expect(values(h.grad)).toEqual([40, 80, 120]);
    handle.remove();
    x.grad = null;
    const h2 = x.mul(2);
    h2.mul(h2).sum().backward();
    expect(values(x.grad)).toEqual([8, 16, 24]);
  });

  it('a hook on a leaf runs on the summed gradient before it is accumulated', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    let calls = 0;
    x.registerHook((g) => {
      calls++;
      return g.add(1);
    });
    x.mul(x).add(x).sum().backward();
    expect(calls).toBe(1);
    expect(values(x.grad)).toEqual([4, 6, 8]);
  });

  it('a hook that returns nothing only observes; a hook may return a tensor the program keeps', () => {
    const kept = tensor([7, 7]);
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    h.registerHook(() => undefined);
    h.registerHook(() => kept);
    h.sum().backward();
    expect(values(x.grad)).toEqual([7, 7]);
    expect(values(kept)).toEqual([7, 7]); // not freed by the engine
  });

  it('errors: a tensor without grad, and a hook that changes the shape', () => {
    expect(() => tensor([1, 2]).registerHook((g) => g)).toThrow(
      "cannot register a hook on a tensor that doesn't require gradient",
    );
    expect(() => tensor([1, 2]).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
    const x = tensor([1, 2], { requiresGrad: true });
    x.registerHook((g) => g.sum());
    expect(() => x.mul(2).sum().backward()).toThrow(/hook has changed the size of value/);
  });

  it('hooks and their replaced gradients leak nothing', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const before = memory().handles;
    const h = x.mul(2);
    h.registerHook((g) => g.mul(2).add(1));
    const y = tidy(() => h.exp().sum());
    y.backward();
    y.dispose();
    h.dispose();
    x.grad!.dispose();
    x.grad = null;
    expect(memory().handles).toBe(before);
  });
});
