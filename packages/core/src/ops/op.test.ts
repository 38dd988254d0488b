/**
 * The op boundary (op.ts): an op frees what it made but did not return, also when it throws; it
 * checks devices and declared dtypes; recordGrad names the node after the op. And the optional
 * kernels: core's compositions (optional-kernels.ts) give what cpu's kernels give, bit for bit on
 * the edge values, with the same gradients.
 */
import '@flint/backend-cpu';
import { cpuBackend } from '@flint/backend-cpu';
import { withoutOptionalKernels } from '@flint/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/kernels.js';
import { registerBackend, removeBackend } from '../backend/registry.js';
import * as api from '../index.js';
import { op, recordGrad } from './op.js';
import { output } from './util.js';

const { memory, tensor } = api;

const COMPOSED = 'cpu-composed';
const NO_SYNC = 'cpu-nosync';
registerBackend(withoutOptionalKernels(cpuBackend, COMPOSED));
/** cpu whose synchronous read fails, as on an engine that can only read asynchronously. */
const noSyncKernels = Object.create(cpuBackend.kernels) as typeof cpuBackend.kernels;
Object.defineProperty(noSyncKernels, 'readSync', {
  value: () => {
    throw new Error('readSync is not available on this engine');
  },
});
const noSync: Backend<unknown> = {
  ...(cpuBackend as unknown as Backend<unknown>),
  name: NO_SYNC,
  kernels: noSyncKernels as unknown as Backend<unknown>['kernels'],
};
registerBackend(noSync);
afterAll(() => {
  removeBackend(COMPOSED);
  removeBackend(NO_SYNC);
});

function liveHandles(): number {
  return memory().handles;
}

describe('op()', () => {
  it('frees every temporary and keeps the result', () => {
    const x = tensor([1, 2, 3]);
    const before = liveHandles();
    const out = op('test', () => x.add(1).mul(2).sub(x.neg()));
    expect(liveHandles() - before).toBe(1);
    expect(out.tolist()).toEqual([5, 8, 11]);
    out.dispose();
    x.dispose();
  });

  it('frees everything it made when the body throws', () => {
    const x = tensor([1, 2, 3]);
    const before = liveHandles();
    expect(() =>
      op('test', () => {
        x.add(1).exp();
        throw new Error('body failed');
      }),
    ).toThrow('body failed');
    expect(liveHandles()).toBe(before);
    x.dispose();
  });

  it('returns several tensors (arrays and objects) and frees the rest', () => {
    const x = tensor([1, 2]);
    const before = liveHandles();
    const { a, b } = op('test', () => {
      x.square();
      return { a: x.add(1), b: [x.mul(3)] };
    });
    expect(liveHandles() - before).toBe(2);
    expect([a.tolist(), b[0]!.tolist()]).toEqual([
      [2, 3],
      [3, 6],
    ]);
    for (const t of [a, b[0]!, x]) t.dispose();
  });

  it('inside tidy(), the result moves to the enclosing scope and is freed with it', () => {
    const x = tensor([1, 2]);
    const before = liveHandles();
    const kept = api.tidy(() => {
      const inner = op('test', () => x.add(1).mul(2));
      expect(inner.isDisposed).toBe(false);
      return inner.sum();
    });
    expect(liveHandles() - before).toBe(1);
    expect(kept.item()).toBe(10);
    kept.dispose();
    x.dispose();
  });

  it('checks devices and declared dtypes before running the body', () => {
    const a = tensor([1, 2]);
    const b = tensor([1, 2], { device: COMPOSED });
    const ints = tensor([1, 2], { dtype: 'int32' });
    let ran = false;
    const body = () => {
      ran = true;
      return a;
    };
    expect(() => op('myOp', [a, b], body)).toThrow(
      'myOp: Expected all tensors to be on the same device, but found at least two devices, cpu and cpu-composed!',
    );
    expect(() => op({ name: 'myOp', float: true }, [a, ints], body)).toThrow(
      'myOp: expected a float32 tensor, got int32 (shape [2])',
    );
    expect(ran).toBe(false);
    expect(op('myOp', [a, b.to('cpu')], (backend) => backend.name)).toBe('cpu');
    for (const t of [a, b, ints]) t.dispose();
  });

  it('recordGrad names the node after the op and hands the rule the saved tensors', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const cube = (t: api.Tensor) =>
      op('cube', [t], (backend) => {
        const out = output(backend, backend.kernels.pow(t.ref, tensor(3).ref, t.shape), t.shape, t.dtype);
        return recordGrad(out, [t], [t], (g, [saved]) => [g.mul(saved!.square().mul(3))]);
      });
    const y = cube(x);
    expect(y.gradFn!.displayName()).toBe('CubeBackward');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 12, 27]);
    for (const t of [x, y, x.grad!]) t.dispose();
  });

  it('F.oneHot frees what it made when reading the class count fails (it leaked 1 handle)', () => {
    const labels = tensor([0, 3, 1], { dtype: 'int32', device: NO_SYNC });
    const before = liveHandles();
    expect(() => api.nn.F.oneHot(labels)).toThrow('readSync is not available on this engine');
    expect(liveHandles()).toBe(before);
    labels.dispose();
  });
});

describe('optional kernels: the core compositions match the kernels', () => {
  const floats = [Number.NaN, -0, 0, 1e-30, -2.5, 3, 1e30, -Infinity, Infinity, 0.5, -88, 88];
  const ints = [-2147483648, -5, -1, 0, 1, 7, 2147483647];

  /** The input of the case being run (on cpu, then on cpu without optional kernels). */
  let current: api.Tensor;
  const x = () => current;

  /**
   * `fn` of the input on both backends: identical values (NaN, -0 included) and gradients, or with
   * `rtol`, within that relative distance (a composition may round differently in the last bit).
   */
  function same(fn: () => api.Tensor, input: { values: number[]; dtype: 'float32' | 'int32' }, rtol = 0): void {
    const results = ['cpu', COMPOSED].map((device) => {
      current = tensor(input.values, { dtype: input.dtype, device, requiresGrad: input.dtype === 'float32' });
      const out = fn();
      const values = out.tolist();
      let grad: unknown = null;
      if (out.requiresGrad) {
        api.tidy(() => out.sum().backward());
        grad = current.grad?.tolist() ?? null;
      }
      current.grad?.dispose();
      out.dispose();
      current.dispose();
      return { values, grad };
    });
    if (rtol === 0) {
      expect(results[1]).toEqual(results[0]);
      return;
    }
    const flat = (r: { values: unknown; grad: unknown }) => [r.values, r.grad].flat(4) as number[];
    const [want, got] = [flat(results[0]!), flat(results[1]!)];
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => {
      const w = want[i]!;
      if (Number.isNaN(w) || !Number.isFinite(w)) expect(v).toBe(w);
      else expect(Math.abs(v - w)).toBeLessThanOrEqual(rtol * Math.abs(w));
    });
  }

  it.each([
    ['rsqrt', () => x().rsqrt()],
    ['reciprocal', () => x().reciprocal()],
    ['square', () => x().square()],
    ['sign', () => x().sign()],
    ['leakyRelu', () => api.nn.F.leakyRelu(x(), 0.2)],
    ['ne', () => x().ne(0.5)],
    ['le', () => x().le(0.5)],
    ['ge', () => x().ge(0.5)],
    ['argmin', () => x().argmin()],
  ] as const)('%s on NaN, ±0, ±inf, tiny and huge floats', (_name, fn) => {
    same(fn, { values: floats, dtype: 'float32' });
  });

  it('sigmoid on NaN, ±0, ±inf, tiny and huge floats (within 1 ulp: 1 / (1 + exp(-x)) rounds differently)', () => {
    same(() => x().sigmoid(), { values: floats, dtype: 'float32' }, 2 ** -23);
  });

  it.each([
    ['square', () => x().square()],
    ['sign', () => x().sign()],
    ['ne', () => x().ne(1)],
    ['le', () => x().le(1)],
    ['ge', () => x().ge(1)],
    ['argmin', () => x().argmin()],
  ] as const)('%s on int32 down to -2^31', (_name, fn) => {
    same(fn, { values: ints, dtype: 'int32' });
  });

  it('argmin takes the first of tied minima, along a dim', () => {
    same(() => x().reshape([2, 3]).argmin(1), { values: [2, 1, 1, -4, 0, -4], dtype: 'float32' });
  });

  it('oneHot and indexSelect', () => {
    same(() => api.nn.F.oneHot(x(), 5), { values: [0, 4, 2, 2], dtype: 'int32' });
    same(() => api.arange(0, 12, 1, { device: x().device }).reshape([3, 4]).indexSelect(1, x()), {
      values: [3, 0, 3],
      dtype: 'int32',
    });
    same(
      () => {
        const w = api.arange(0, 8, 1, { device: x().device }).reshape([4, 2]).mul(0.5);
        return w.indexSelect(0, x().long());
      },
      { values: [3, 1, 1], dtype: 'int32' },
    );
  });
});
