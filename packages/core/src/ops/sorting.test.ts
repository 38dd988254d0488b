/**
 * Sorting, selection and scans (ops/sorting.ts, ops/scan.ts) beyond the PyTorch fixtures
 * (packages/conformance/fixtures/ops-sorting.json): the method and the free function agree, the
 * argument forms, PyTorch's errors, and cumprod's second derivative at zeros (values from torch
 * 1.13 in float64).
 */
import { describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import * as f from '../index.js';

f.setBackend('cpu');
const NaN_ = Number.NaN;

describe('sorting', () => {
  it('methods and free functions agree, and the keyword forms match the positional ones', () => {
    const x = f.tensor([
      [3, 1, 2, 1],
      [0, NaN_, -1, 0],
    ]);
    const a = x.sort(1, true);
    const b = f.sort(x, { dim: 1, descending: true, stable: true });
    expect(a.values.tolist()).toEqual(b.values.tolist());
    expect(a.indices.tolist()).toEqual([
      [0, 2, 1, 3],
      [1, 0, 3, 2],
    ]);
    expect(x.argsort(0).tolist()).toEqual(f.argsort(x, 0).tolist());
    expect(f.topk(x, 2, { dim: 1, largest: false }).indices.tolist()).toEqual(x.topk(2, 1, false).indices.tolist());
    expect(x.kthvalue(2, 1).values.tolist()).toEqual([1, 0]);
    expect(x.median(1).indices.tolist()).toEqual(f.median(x, 1).indices.tolist());
    expect(x.median().item()).toBeNaN();
    expect(x.nanmedian().item()).toBe(1);
    expect(x.mode(1).values.tolist()).toEqual([1, 0]);
    expect(x.mode(1).indices.tolist()).toEqual([3, 3]);
    expect(x.msort().tolist()).toEqual(f.msort(x).tolist());
  });

  it("raises PyTorch's errors", () => {
    const x = f.zeros([2, 3]);
    expect(() => f.topk(x, 4)).toThrow(/topk\(\): selected index k out of range/);
    expect(() => f.topk(x, -1)).toThrow(/k out of range/);
    expect(() => f.kthvalue(x, 0)).toThrow(/kthvalue\(\): selected number k out of range for dimension 1/);
    expect(() => f.median(f.zeros([2, 0]), 1)).toThrow(/median\(\): Expected reduction dim 1 to have non-zero size/);
    expect(() => f.mode(f.zeros([0, 2]), 0)).toThrow(/mode\(\): Expected reduction dim 0/);
    expect(() => f.sort(x, 2)).toThrow(
      /sort: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/,
    );
    expect(() => f.cumsum(x, -3)).toThrow(/cumsum: Dimension out of range/);
    // torch 1.13's msort returns a 0-d tensor as it is (ops-audit.json holds the case)
    expect(f.msort(f.tensor(1.5)).item()).toBe(1.5);
  });

  it('keeps dtypes as PyTorch (int64 results are int32)', () => {
    expect(f.cumsum(f.tensor([true, false, true]), 0).dtype).toBe('int32');
    expect(f.cumsum(f.tensor([1, 2], { dtype: 'int32' }), 0, { dtype: 'float64' }).dtype).toBe('float32');
    expect(f.cummax(f.tensor([false, true, false]), 0).values.dtype).toBe('bool');
    expect(f.sort(f.tensor([true, false])).values.tolist()).toEqual([false, true]);
    expect(f.median(f.tensor([3, 1, 2], { dtype: 'int32' })).dtype).toBe('int32');
  });

  it("cumprod's gradient is finite at zeros and differentiable again (torch's second derivative)", () => {
    const x = f.tensor([2, 0, 3, 0.5], { requiresGrad: true });
    const c = f.tensor([1, -2, 0.5, 3]);
    const w = f.tensor([0.5, 1, -1, 2]);
    const [g] = f.autograd.grad([f.cumprod(x, 0).mul(c).sum()], [x], { createGraph: true });
    expect(g!.tolist()).toEqual([1, 8, 0, 0]);
    const [h] = f.autograd.grad([g!.mul(w).sum()], [x]);
    expect(h!.tolist()).toEqual([4, 34, 4, 18]);
  });

  it("cumsum's gradient is a reversed cumsum", () => {
    const x = f.tensor([1.5, -2, 0.5, 3], { requiresGrad: true });
    f.cumsum(x, 0)
      .mul(f.tensor([1, -2, 0.5, 3]))
      .sum()
      .backward();
    expect(x.grad!.tolist()).toEqual([2.5, 1.5, 3.5, 3]);
  });

  it('frees every temporary (sort, mode, cumprod backward)', () => {
    const before = f.memory().handles;
    const x = f.tensor([[2, 0, 3, 0.5]], { requiresGrad: true });
    const r = f.mode(x, 1);
    const s = f.sort(x, 1);
    const scanned = f.cumprod(x, 1);
    const loss = scanned.sum();
    loss.backward();
    for (const t of [r.values, r.indices, s.values, s.indices, scanned, loss, x.grad!, x]) t.dispose();
    expect(f.memory().handles).toBe(before);
  });
});

describe("(values, indices) results destructure as PyTorch's named tuple", () => {
  it('max(dim), min(dim), sort, topk, kthvalue, median, mode, cummax: [values, indices], [0] / [1], fields; tidy keeps both', () => {
    const x = f.tensor([
      [3, 1, 2],
      [0, 5, 4],
    ]);
    const results = [
      x.max(1),
      x.min(1),
      x.sort(1),
      x.topk(2),
      x.kthvalue(2),
      x.median(1),
      x.mode(1),
      x.cummax(1),
      f.max(x, 0),
    ];
    for (const r of results) {
      const [values, indices] = r;
      expect(values).toBe(r.values);
      expect(indices).toBe(r.indices);
      expect([r[0], r[1], r.length]).toEqual([r.values, r.indices, 2]);
      expect(Object.keys(r)).toEqual(['values', 'indices']);
    }
    const [, predicted] = x.max(1);
    expect(predicted.tolist()).toEqual([0, 1]);
    expect(x.topk(2)[0].tolist()).toEqual([
      [3, 2],
      [5, 4],
    ]);
    // max pooling with return_indices: `out, idx = pool(x)` in PyTorch
    const [pooled, where] = new f.nn.MaxPool2d(2, { returnIndices: true })(f.arange(16).reshape(1, 1, 4, 4));
    const grid = [
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ];
    expect([pooled.tolist(), where.tolist()]).toEqual([grid, grid]);
    const [pooled1d] = f.nn.F.adaptiveMaxPool1dWithIndices(f.arange(4).reshape(1, 4), 2);
    expect(pooled1d.tolist()).toEqual([[1, 3]]);
    const kept = f.tidy(() => x.sort(1));
    expect([kept.values.tolist(), kept[1].tolist()]).toEqual([
      [
        [1, 2, 3],
        [0, 4, 5],
      ],
      [
        [1, 2, 0],
        [0, 2, 1],
      ],
    ]);
  });
});
