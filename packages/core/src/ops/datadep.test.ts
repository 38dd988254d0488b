/**
 * nonzero/argwhere, unique/uniqueConsecutive, bincount, histc (ops/datadep.ts) and normal,
 * bernoulli, multinomial (ops/sampling.ts): what the PyTorch fixtures (conformance,
 * ops-datadep.json) do not show — PyTorch's errors, methods agreeing with the free functions,
 * gradients (zero or PyTorch's missing derivative), and the random ops by their statistics with
 * fixed seeds plus exact properties (torch's RNG stream is not Flint's, so values cannot match).
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import * as api from '../index.js';
import type { Tensor } from '../index.js';

const { tensor, Generator } = api;
const ints = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });
const list = (t: Tensor) => Array.from(t.dataSync());

describe('nonzero, argwhere', () => {
  it('indices in row-major order, as a matrix or one tensor per dim; method = function', () => {
    const x = tensor([
      [0, 1.5, 0],
      [Number.NaN, 0, -2],
    ]);
    const nz = x.nonzero();
    expect(nz.dtype).toBe('int32');
    expect(nz.tolist()).toEqual([
      [0, 1],
      [1, 0],
      [1, 2],
    ]);
    expect(api.argwhere(x).tolist()).toEqual(nz.tolist());
    const [rows, cols] = api.nonzero(x, { asTuple: true });
    expect([list(rows!), list(cols!)]).toEqual([
      [0, 1, 1],
      [1, 0, 2],
    ]);
  });
  it('0-d and empty inputs have PyTorch shapes', () => {
    expect(tensor(3).nonzero().shape).toEqual([1, 0]);
    expect(tensor(0).nonzero().shape).toEqual([0, 0]);
    const tuple = tensor(3).nonzero({ asTuple: true });
    expect(tuple.map((t) => list(t))).toEqual([[0]]);
    expect(api.zeros(2, 0).nonzero().shape).toEqual([0, 2]);
  });
});

describe('unique, uniqueConsecutive', () => {
  it('sorted values, inverse and counts; sorted: false returns them sorted too', () => {
    const x = ints([3, 1, 2, 3, 1, 5, 2, 2]);
    const [values, inverse, counts] = x.unique({ returnInverse: true, returnCounts: true });
    expect(list(values!)).toEqual([1, 2, 3, 5]);
    expect(list(inverse!)).toEqual([2, 0, 1, 2, 0, 3, 1, 1]);
    expect(list(counts!)).toEqual([2, 3, 2, 1]);
    expect(list(api.unique(x, { sorted: false }))).toEqual([1, 2, 3, 5]);
    const [v2, c2] = api.unique(x, { returnCounts: true });
    expect([list(v2!), list(c2!)]).toEqual([
      [1, 2, 3, 5],
      [2, 3, 2, 1],
    ]);
  });
  it('NaN values are each distinct and sort last; -0 equals 0', () => {
    const [values, counts] = tensor([1.5, Number.NaN, 0, -0, Number.NaN, 1.5]).unique({ returnCounts: true });
    expect(list(values!).slice(0, 2)).toEqual([0, 1.5]);
    expect(list(values!).slice(2).every(Number.isNaN)).toBe(true);
    expect(list(counts!)).toEqual([2, 2, 1, 1]);
  });
  it('dim: unique slices, lexicographic', () => {
    const x = ints([
      [1, 2],
      [1, 2],
      [0, 5],
    ]);
    const [values, inverse, counts] = x.unique({ dim: 0, returnInverse: true, returnCounts: true });
    expect(values!.tolist()).toEqual([
      [0, 5],
      [1, 2],
    ]);
    expect([list(inverse!), list(counts!)]).toEqual([
      [1, 1, 0],
      [1, 2],
    ]);
    expect(x.unique({ dim: -1 }).tolist()).toEqual(x.tolist());
    expect(() => x.unique({ dim: 2 })).toThrow(/Dimension out of range/);
  });
  it('uniqueConsecutive collapses runs; inverse keeps the input shape', () => {
    const x = ints([
      [1, 1, 2, 2],
      [3, 1, 1, 2],
    ]);
    const [values, inverse, counts] = api.uniqueConsecutive(x, { returnInverse: true, returnCounts: true });
    expect(list(values!)).toEqual([1, 2, 3, 1, 2]);
    expect(inverse!.tolist()).toEqual([
      [0, 0, 1, 1],
      [2, 3, 3, 4],
    ]);
    expect(list(counts!)).toEqual([2, 2, 1, 2, 1]);
    expect(x.uniqueConsecutive({ dim: 1 }).tolist()).toEqual(x.tolist());
  });
  it('a float result of an input that requires grad has no derivative, as in PyTorch', () => {
    const x = tensor([1, 2, 1], { requiresGrad: true });
    const u = x.unique();
    expect(u.requiresGrad).toBe(true);
    expect(() => u.sum().backward()).toThrow(/derivative for 'unique' is not implemented/);
  });
});

describe('bincount', () => {
  it('counts, weights and minlength; method = function', () => {
    const x = ints([0, 2, 2, 5]);
    const counts = x.bincount();
    expect(counts.dtype).toBe('int32');
    expect(list(counts)).toEqual([1, 0, 2, 0, 0, 1]);
    const w = tensor([0.5, 1, 2, 0.25]);
    expect(list(api.bincount(x, w))).toEqual([0.5, 0, 3, 0, 0, 0.25]);
    expect(list(api.bincount(x, { minlength: 8 }))).toEqual([1, 0, 2, 0, 0, 1, 0, 0]);
    expect(list(x.bincount(null, 8))).toEqual([1, 0, 2, 0, 0, 1, 0, 0]);
    expect(list(ints([]).bincount())).toEqual([]);
  });
  it('with minlength nothing is read back: values outside [0, minlength) are not counted', () => {
    expect(list(ints([0, 7, -1, 1]).bincount({ minlength: 3 }))).toEqual([1, 1, 0]);
  });
  it("PyTorch's errors", () => {
    expect(() => ints([-1, 1]).bincount()).toThrow('bincount only supports 1-d non-negative integral inputs.');
    expect(() => ints([[1]]).bincount()).toThrow('bincount only supports 1-d non-negative integral inputs.');
    expect(() => tensor([1]).bincount()).toThrow(`"bincount_cpu" not implemented for 'Float'`);
    expect(() => ints([1, 2]).bincount(tensor([1, 2, 3]))).toThrow(
      /weights should be 1-d and have the same length as input \(input \[2\], weights \[3\]\)/,
    );
    expect(() => ints([1]).bincount({ minlength: -1 })).toThrow('minlength should be >= 0');
  });
});

describe('histc', () => {
  it('equal-width bins; the last includes max; outside ignored, NaN in the first bin (as PyTorch)', () => {
    expect(list(api.histc(tensor([1, 2, 1]), 4, 0, 3))).toEqual([0, 2, 1, 0]);
    expect(list(tensor([-1, 0, 0.5, 1, 3, Number.NaN]).histc({ bins: 2, min: 0, max: 1 }))).toEqual([2, 2]);
  });
  it('min == max takes the data range (a constant widens by 1 each way); empty gives zeros', () => {
    expect(list(tensor([2, 2]).histc(4))).toEqual([0, 0, 2, 0]);
    expect(list(tensor([1, 2, 3, 4]).histc(3, 5, 5))).toEqual([1, 1, 2]);
    expect(list(api.zeros(0).histc(3))).toEqual([0, 0, 0]);
  });
  it("PyTorch's errors", () => {
    expect(() => ints([1]).histc()).toThrow(`"histogram_cpu" not implemented for 'Int'`);
    expect(() => tensor([1]).histc(0)).toThrow('torch.histogram(): bins must be > 0, but got 0 for dimension 0');
    expect(() => tensor([1]).histc(3, 3, 1)).toThrow('torch.histc: max must be larger than min');
    expect(() => tensor([1]).histc(3, 0, Infinity)).toThrow('torch.histc: range of [0, Infinity] is not finite');
  });
});

describe('multinomial', () => {
  const freq = (samples: number[], k: number) => {
    const f = new Array<number>(k).fill(0);
    for (const s of samples) f[s]! += 1 / samples.length;
    return f;
  };
  it('with replacement: frequencies follow the unnormalised weights (40000 draws, 4 sigma)', () => {
    const s = tensor([1, 2, 0, 3, 4]).multinomial(40000, true, { generator: new Generator(7) });
    expect(s.shape).toEqual([40000]);
    const f = freq(list(s), 5);
    for (const [j, p] of [0.1, 0.2, 0, 0.3, 0.4].entries()) expect(Math.abs(f[j]! - p)).toBeLessThan(0.01);
    expect(f[2]).toBe(0);
  });
  it('without replacement: distinct per row, first and second draws follow successive sampling', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const rows = 20000;
    const probs = api.fromArray(
      Float32Array.from({ length: rows * 4 }, (_, i) => p[i % 4]!),
      [rows, 4],
    );
    const s = api.multinomial(probs, 2, { generator: new Generator(3) }).tolist() as number[][];
    expect(s.every(([a, b]) => a !== b)).toBe(true);
    const first = freq(
      s.map((r) => r[0]!),
      4,
    );
    const second = freq(
      s.map((r) => r[1]!),
      4,
    );
    const expectedSecond = p.map((pj, j) => p.reduce((acc, pi, i) => (i === j ? acc : acc + (pi * pj) / (1 - pi)), 0));
    p.forEach((pj, j) => {
      expect(Math.abs(first[j]! - pj)).toBeLessThan(0.015);
      expect(Math.abs(second[j]! - expectedSecond[j]!)).toBeLessThan(0.015);
    });
  });
  it('without replacement, all categories: zero weights come last, in order', () => {
    const s = list(tensor([0, 3, 0, 1]).multinomial(4, false, { generator: new Generator(1) }));
    expect(new Set(s.slice(0, 2))).toEqual(new Set([1, 3]));
    expect(s.slice(2)).toEqual([0, 2]);
  });
  it('the same seed gives the same samples; method = function', () => {
    const w = tensor([0.2, 0.5, 0.3]);
    const a = list(w.multinomial(50, true, { generator: new Generator(11) }));
    const b = list(api.multinomial(w, 50, { replacement: true, generator: new Generator(11) }));
    expect(a).toEqual(b);
  });
  it("PyTorch's errors, naming the row", () => {
    expect(() => tensor([1, -1]).multinomial(1)).toThrow(
      'probability tensor contains either `inf`, `nan` or element < 0',
    );
    expect(() => tensor([1, Infinity]).multinomial(1)).toThrow('probability tensor contains either');
    expect(() =>
      tensor([
        [1, 1],
        [0, 0],
      ]).multinomial(1, true),
    ).toThrow('invalid multinomial distribution (sum of probabilities <= 0) (row 1)');
    expect(() => tensor([1, -1]).multinomial(1, true)).toThrow('encountering probability entry < 0');
    expect(() => tensor([1, 1]).multinomial(3)).toThrow(
      'cannot sample n_sample > prob_dist.size(-1) samples without replacement',
    );
    expect(() => tensor([1, 1]).multinomial(0)).toThrow('cannot sample n_sample <= 0 samples');
    expect(() => ints([1, 1]).multinomial(1)).toThrow(
      'multinomial only supports floating-point dtypes for input, got: Int',
    );
    expect(() => api.ones(2, 2, 2).multinomial(1)).toThrow('prob_dist must be 1 or 2 dim');
  });
});

describe('normal, bernoulli', () => {
  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { mean, std: Math.sqrt(variance) };
  };
  it('normal(mean, std) with tensors broadcasts; numbers and size; statistics of 40000 draws', () => {
    const g = new Generator(5);
    const mean = api.full([2, 1], 3);
    const std = api.full([20000], 2);
    const out = api.normal(mean, std, { generator: g });
    expect(out.shape).toEqual([2, 20000]);
    const s = stats(list(out));
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.04);
    expect(Math.abs(s.std - 2)).toBeLessThan(0.04);
    expect(api.normal(api.zeros(3, 4), 1.5).shape).toEqual([3, 4]);
    expect(api.normal(0, api.ones(5)).shape).toEqual([5]);
    const n = stats(list(api.normal(-1, 0.5, [40000], { generator: g })));
    expect(Math.abs(n.mean + 1)).toBeLessThan(0.01);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.01);
  });
  it('normal is reproducible from a seed and has zero gradients (as PyTorch)', () => {
    const m = api.zeros([3], { requiresGrad: true });
    const s = api.ones([3], { requiresGrad: true });
    const a = api.normal(m, s, { generator: new Generator(2) });
    expect(list(a)).toEqual(list(api.normal(api.zeros(3), api.ones(3), { generator: new Generator(2) })));
    expect(a.requiresGrad).toBe(true);
    a.sum().backward();
    expect([list(m.grad!), list(s.grad!)]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
  it("normal's errors", () => {
    expect(() => api.normal(api.zeros(2), -1)).toThrow('normal expects std >= 0.0, but found std -1');
    expect(() => (api.normal as unknown as (a: number, b: number) => Tensor)(0, 1)).toThrow(/needs a size/);
    expect(api.normal(api.zeros(3, 1), api.ones(2, 1, 4)).shape).toEqual([2, 3, 4]);
    expect(() => api.normal(api.zeros(2), api.ones(3))).toThrow(/cannot be broadcast/);
  });
  it('bernoulli(p tensor) and bernoulli(x, p): frequencies, dtype, zero gradient', () => {
    const p = api.fromArray(
      Float32Array.from({ length: 40000 }, (_, i) => (i % 2 === 0 ? 0.2 : 0.9)),
      [20000, 2],
    );
    const b = list(api.bernoulli(p, { generator: new Generator(4) }));
    const even = stats(b.filter((_, i) => i % 2 === 0)).mean;
    const odd = stats(b.filter((_, i) => i % 2 === 1)).mean;
    expect(Math.abs(even - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(odd - 0.9)).toBeLessThan(0.015);
    expect(list(tensor([0, 1, 0, 1]).bernoulli())).toEqual([0, 1, 0, 1]);
    const i = ints([5, 5, 5]).bernoulli(1);
    expect([i.dtype, ...list(i)]).toEqual(['int32', 1, 1, 1]);
    const q = tensor([0.5, 0.5], { requiresGrad: true });
    const r = q.bernoulli({ generator: new Generator(0) });
    expect(r.requiresGrad).toBe(true);
    r.sum().backward();
    expect(list(q.grad!)).toEqual([0, 0]);
    expect(() => api.bernoulli(api.zeros(2), 1.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=1.5');
    expect(() => ints([1]).bernoulli()).toThrow(`"bernoulli_tensor_cpu_p_" not implemented for 'Int'`);
    expect(api.bernoulli([2, 3], 0.5).shape).toEqual([2, 3]);
  });
});
