/**
 * No leak inside an op (issue 9): ops called outside tidy() free their temporaries. The focused
 * cases below are the leaks the sweep found (each failed before its fix); the sweep itself
 * (@flint/conformance, src/ops/leaks.ts) then runs every public op on the cpu backend, as every
 * backend's conformance suite does.
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { leakSweepCoverage, publicOps, runLeakSweep } from '@flint/conformance';
import * as api from '../index.js';

const { memory, tensor } = api;

/** Live handles and bytes (core and backend) that `fn` leaves behind once its result is disposed. */
function leftBehind(fn: () => api.Tensor | readonly api.Tensor[]): { handles: number; bytes: number } {
  const before = memory();
  const out = fn();
  for (const t of Array.isArray(out) ? out : [out]) t.dispose();
  const after = memory();
  const cpu = (m: api.MemoryInfo) => m.backends.cpu!;
  expect(cpu(after).backendHandles - cpu(before).backendHandles).toBe(after.handles - before.handles);
  return { handles: after.handles - before.handles, bytes: after.bytes - before.bytes };
}

describe('ops outside tidy free their temporaries', () => {
  it('logicalAnd on bool inputs (leaked 3 handles per call)', () => {
    const a = tensor([true, false, true]);
    const b = tensor([true, true, false]);
    expect(leftBehind(() => api.logicalAnd(a, b))).toEqual({ handles: 0, bytes: 0 });
    expect(api.logicalAnd(a, b).tolist()).toEqual([true, false, false]);
    a.dispose();
    b.dispose();
  });

  it('logicalAnd on float inputs (leaked 5 handles per call)', () => {
    const a = tensor([1, 0, -2]);
    const b = tensor([0.5, 3, 4]);
    expect(leftBehind(() => api.logicalAnd(a, b))).toEqual({ handles: 0, bytes: 0 });
    a.dispose();
    b.dispose();
  });

  it('add/sub with alpha, pow of a bool base, argmax keepdim, repeat, select, unbind', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = tensor([1, 1, 1]);
    const mask = tensor([true, false]);
    for (const fn of [
      () => x.add(y, 2),
      () => x.sub(y, 0.5),
      () => mask.pow(3),
      () => x.argmax(null, true),
      () => x.repeat(2, 2),
      () => x.select(0, 1),
      () => x.unbind(1),
      () => x.index(1, [0, 2]),
    ]) {
      expect(leftBehind(fn)).toEqual({ handles: 0, bytes: 0 });
    }
    for (const t of [x, y, mask]) t.dispose();
  });

  it('scatterAdd with a larger src, indexSelect with a 0-d index, pad with a crop, oneHot inferring classes', () => {
    const x = api.zeros([2, 3]);
    const src = api.ones([2, 3]);
    const index = tensor([[0], [2]], { dtype: 'int32' });
    const scalarIndex = tensor(1, { dtype: 'int32' });
    const labels = tensor([0, 3, 1], { dtype: 'int32' });
    for (const fn of [
      () => x.scatterAdd(1, index, src),
      () => x.indexSelect(1, scalarIndex),
      () => api.nn.F.pad(x, [-1, 1, 0, 1]),
      () => api.nn.F.oneHot(labels),
      () => api.nn.F.gelu(x, 'tanh'),
      () => api.nn.F.softmin(x, 1),
    ]) {
      expect(leftBehind(fn)).toEqual({ handles: 0, bytes: 0 });
    }
    for (const t of [x, src, index, scalarIndex, labels]) t.dispose();
  });

  it('an in-place op whose result recorded a graph releases what the graph saved', () => {
    // x.mul_(w) with w requiring grad: the product saved x and w for a backward that no tensor
    // can reach once x took over the product's storage; the saved aliases kept both storages.
    const before = memory();
    const x = tensor([1, 2, 3]);
    const w = tensor([2, 2, 2], { requiresGrad: true });
    x.mul_(w);
    expect(x.tolist()).toEqual([2, 4, 6]);
    x.dispose();
    w.dispose();
    const after = memory();
    expect({ handles: after.handles - before.handles, bytes: after.bytes - before.bytes }).toEqual({
      handles: 0,
      bytes: 0,
    });
  });

  it('the same ops still compute and differentiate', () => {
    const x = tensor([[0.5, -1, 2]], { requiresGrad: true });
    const y = tensor([1, 2, 3], { requiresGrad: true });
    const out = api.tidy(() => x.add(y, 2).sum().add(x.repeat(2, 1).select(0, 1).sum()));
    out.backward();
    expect(out.item()).toBeCloseTo(1.5 + 12 + 1.5, 5);
    expect(x.grad!.tolist()).toEqual([[2, 2, 2]]);
    expect(y.grad!.tolist()).toEqual([2, 2, 2]);
    for (const t of [x, y, out, x.grad!, y.grad!]) t.dispose();
  });
});

describe('leak sweep on cpu (every public op, outside tidy)', () => {
  it('every public op has a builder', () => {
    expect(leakSweepCoverage(api)).toEqual({ missing: [], stale: [] });
  });
  for (const name of publicOps(api)) it(name, () => runLeakSweep(api, 'cpu', name));
});
