// The backend object (adapter, ranking, lazy init), the device machinery (pipeline cache,
// batching, buffer pool, buffer reuse within a batch) and the kernels past the sizes the shared
// cases reach: multi-pass tree reductions, split-K GEMMs, long softmax rows.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DType, Shape } from '@flint/core/backend';
import { getBackend, registerBackend, removeBackend } from '@flint/core/backend';
import { cpuBackend } from '@flint/backend-cpu';
import { compareData, reference, Rng, type HostTensor, type Tolerance } from '@flint/conformance';
import { createWebGpuBackend, SOFTWARE_PRIORITY, HARDWARE_PRIORITY } from './backend.js';
import { webgpuBackend as gpu } from './index.js';
import { GpuDevice } from './device.js';
import type { WebGpuStorage } from './storage.js';

const { host, randn, randu, toDataArray } = reference;
const k = gpu.kernels;
const rng = new Rng(77);

beforeAll(async () => {
  await gpu.init();
});

function up(t: HostTensor): { storage: WebGpuStorage; shape: Shape; dtype: DType } {
  return { storage: k.write(toDataArray(t), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
}

async function expectMatches(s: WebGpuStorage, want: HostTensor, tol: Tolerance): Promise<void> {
  const data = await k.read({ storage: s, shape: want.shape, dtype: want.dtype });
  expect(compareData(data, want, tol)).toEqual([]);
}

function disposeAll(...ss: WebGpuStorage[]): void {
  for (const s of ss) k.dispose(s);
}

describe('adapter and ranking', () => {
  it('reports the adapter it runs on, and ranks a software adapter below cpu, hardware above', () => {
    const a = gpu.adapter();
    expect(a).not.toBeNull();
    if (a === null) return;
    expect(gpu.engine()).toContain(a.description);
    expect(gpu.engine()).toContain(a.software ? 'software' : 'hardware');
    expect(gpu.priority()).toBe(a.software ? SOFTWARE_PRIORITY : HARDWARE_PRIORITY);
    expect(SOFTWARE_PRIORITY).toBeLessThan(cpuBackend.priority());
    expect(HARDWARE_PRIORITY).toBeGreaterThan(cpuBackend.priority());
    // llvmpipe (Mesa's CPU rasteriser) must be recognised as software.
    if (/llvmpipe/.test(`${a.device} ${a.description}`)) {
      expect(a.software).toBe(true);
      expect(a.featureLevel).toBe('compatibility');
      expect(a.via).toBe('dawn-opengl');
    }
  });

  it('a software adapter does not take the default device from cpu', () => {
    registerBackend(cpuBackend);
    registerBackend(gpu);
    try {
      const a = gpu.adapter()!;
      expect(getBackend().name).toBe(a.software ? 'cpu' : 'webgpu');
    } finally {
      removeBackend('cpu');
    }
  });

  it('before init: rank 0, engine says so, nothing is opened; the first kernel call starts opening and says to wait', async () => {
    const open = vi.spyOn(GpuDevice, 'open');
    try {
      const fresh = createWebGpuBackend();
      expect(fresh.initOnDemand).toBe(true); // core's auto-init leaves it alone until it is needed
      expect(fresh.priority()).toBe(0);
      expect(fresh.engine()).toBe('webgpu (not initialised)');
      expect(fresh.adapter()).toBeNull();
      expect(fresh.memory()).toEqual({ handles: 0, bytes: 0 });
      expect(open).not.toHaveBeenCalled();
      expect(() => fresh.kernels.write(new Float32Array(2), [2], 'float32')).toThrow(
        /not open yet.*started opening it.*`await ready\(\)`/,
      );
      expect(fresh.context.ready).toBe(false);
      expect(open).toHaveBeenCalledTimes(1);
      await fresh.init(); // shares the opening the kernel call started
      expect(open).toHaveBeenCalledTimes(1);
      expect(fresh.context.ready).toBe(true);
      fresh.destroy();
    } finally {
      open.mockRestore();
    }
  });
});

describe('device machinery', () => {
  it('pipelines are compiled once per kernel variant, not per shape', async () => {
    // Same shape class: broadcast rank 2, reductions of at most 32, M and N of at most 8 (the
    // GEMM's register blocks are chosen from those), different sizes.
    const shapes: [Shape, Shape][] = [
      [
        [5, 4],
        [5, 1],
      ],
      [
        [7, 9],
        [7, 1],
      ],
      [
        [6, 30],
        [6, 1],
      ],
    ];
    let after: number | undefined;
    for (const [sa, sb] of shapes) {
      const a = up(randn(rng, sa));
      const b = up(randn(rng, sb));
      const c = k.add(a, b, sa);
      const m = k.matmul(a, a, false, true, [sa[0]!, sa[0]!]);
      const s = k.sum(a, [1]);
      await k.read({ storage: s, shape: [sa[0]!], dtype: 'float32' });
      disposeAll(a.storage, b.storage, c, m, s);
      const compiled = gpu.stats().compilations;
      if (after !== undefined) expect(compiled).toBe(after);
      after = compiled;
    }
    expect(gpu.stats().pipelineHits).toBeGreaterThan(0);
  });

  it('kernels are batched: a chain of dispatches is one submit at the read', async () => {
    const x = up(randn(rng, [64]));
    let cur = x.storage;
    const before = gpu.stats();
    const made: WebGpuStorage[] = [];
    for (let i = 0; i < 20; i++) {
      cur = k.exp({ storage: k.neg({ storage: cur, shape: [64], dtype: 'float32' }), shape: [64], dtype: 'float32' });
      made.push(cur);
    }
    const mid = gpu.stats();
    expect(mid.dispatches - before.dispatches).toBe(40);
    expect(mid.submits).toBe(before.submits);
    await k.read({ storage: cur, shape: [64], dtype: 'float32' });
    expect(gpu.stats().submits).toBe(before.submits + 1);
    expect(gpu.stats().readbacks).toBe(before.readbacks + 1);
    disposeAll(x.storage, ...made);
  });

  it('a batch is submitted after maxBatch dispatches without a read', async () => {
    const small = createWebGpuBackend({ maxBatch: 4 });
    await small.init();
    try {
      const s = small.kernels.fill([8], 'float32', 1);
      const outs: WebGpuStorage[] = [s];
      for (let i = 0; i < 11; i++) outs.push(small.kernels.neg({ storage: s, shape: [8], dtype: 'float32' }));
      expect(small.stats().submits).toBe(3);
      for (const o of outs) small.kernels.dispose(o);
    } finally {
      small.destroy();
    }
  });

  it('the buffer pool reuses freed buffers: a repeated step creates no new buffers', async () => {
    let created: number | undefined;
    for (let step = 0; step < 5; step++) {
      const a = up(randn(rng, [300]));
      const b = k.exp(a);
      const c = k.sum({ storage: b, shape: [300], dtype: 'float32' }, [0]);
      await k.read({ storage: c, shape: [], dtype: 'float32' });
      disposeAll(a.storage, b, c);
      if (step >= 2) expect(gpu.stats().buffersCreated).toBe(created);
      created = gpu.stats().buffersCreated;
    }
    expect(gpu.stats().buffersReused).toBeGreaterThan(0);
  });

  it('a buffer freed while the open batch still reads it is not reused by an upload before the submit', async () => {
    // write() uploads through the queue, ahead of commands still being recorded: handing the freed
    // buffer of `a` to the upload of `b` would let neg read b's values.
    const a = up(host([4], 'float32', [1, 2, 3, 4]));
    const negA = k.neg(a);
    k.dispose(a.storage);
    const b = up(host([4], 'float32', [100, 200, 300, 400]));
    await expectMatches(negA, host([4], 'float32', [-1, -2, -3, -4]), { rtol: 0, atol: 0 });
    disposeAll(negA, b.storage);
  });

  it('memory() counts live storages and their bytes; dispose returns them', () => {
    const before = gpu.memory();
    const a = up(randn(rng, [1000]));
    const e = k.fill([0, 3], 'float32', 1);
    expect(gpu.memory().handles).toBe(before.handles + 2);
    expect(gpu.memory().bytes).toBeGreaterThanOrEqual(before.bytes + 4000);
    disposeAll(a.storage, e);
    expect(gpu.memory()).toEqual(before);
  });

  it('a destroyed backend refuses work with a clear error', async () => {
    const b = createWebGpuBackend();
    await b.init();
    const s = b.kernels.fill([2], 'float32', 3);
    b.destroy();
    expect(() => b.kernels.neg({ storage: s, shape: [2], dtype: 'float32' })).toThrow(/destroyed/);
  });
});

/** Float64 sums of float32 inputs, pairwise-accurate enough to judge 1e-6 relative errors. */
function fsum(values: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i]! - c;
    const t = s + y;
    c = t - s - y;
    s = t;
  }
  return s;
}

describe('tree reductions past one pass', () => {
  const TIGHT: Tolerance = { rtol: 1e-6, atol: 0 };

  it('sum of 1e6 values (three passes) within 1e-6 relative', async () => {
    const x = randu(rng, [1_000_000], 0, 1);
    const a = up(x);
    const s = k.sum(a, [0]);
    await expectMatches(s, host([], 'float32', [fsum(x.data)]), TIGHT);
    disposeAll(a.storage, s);
  });

  it('sums over a long middle axis with kept dims on both sides', async () => {
    const x = randu(rng, [3, 70_000, 5], 0, 1);
    const a = up(x);
    const s = k.sum(a, [1]);
    const want: number[] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) {
        const col = new Float64Array(70_000);
        for (let r = 0; r < 70_000; r++) col[r] = x.data[(i * 70_000 + r) * 5 + j]!;
        want.push(fsum(col));
      }
    await expectMatches(s, host([3, 5], 'float32', want), TIGHT);
    disposeAll(a.storage, s);
  });

  it('max, min and prod over 200,000 values; non-block axis sets go through a transpose', async () => {
    const x = randn(rng, [4, 50_000]);
    const a = up(x);
    for (const op of ['max', 'min'] as const) {
      const s = k[op](a, [0, 1]);
      await expectMatches(s, reference.reduceRef(op, x, [0, 1]), { rtol: 0, atol: 0 });
      k.dispose(s);
    }
    const y = randu(rng, [2, 3, 400], 0.999, 1.001);
    const b = up(y);
    const p = k.prod(b, [0, 2]);
    await expectMatches(p, reference.reduceRef('prod', y, [0, 2]), { rtol: 1e-5, atol: 0 });
    disposeAll(a.storage, b.storage, p);
  });

  it('int32 sums over non-block axes are exact', async () => {
    const x = reference.randint(rng, [5, 3, 6000], -50, 50);
    const a = up(x);
    const s = k.sum(a, [0, 2]);
    await expectMatches(s, reference.reduceRef('sum', x, [0, 2]), { rtol: 0, atol: 0 });
    disposeAll(a.storage, s);
  });

  it('argmax/argmin over 150,000 values across chunks: first occurrence, the first NaN wins (PyTorch)', async () => {
    const n = 150_000;
    const cases: [string, number[]][] = [];
    const base = Array.from(randn(rng, [n]).data);
    const tie = [...base];
    tie[90_000] = 50;
    tie[120_000] = 50;
    tie[3] = -50;
    tie[140_000] = -50;
    cases.push(['ties', tie]);
    const nanFirst = [...base];
    nanFirst[0] = Number.NaN;
    nanFirst[70_000] = 60;
    cases.push(['NaN at index 0', nanFirst]);
    const nanLater = [...base];
    nanLater[5000] = Number.NaN;
    nanLater[100_000] = 70;
    nanLater[100_001] = -70;
    cases.push(['NaN later', nanLater]);
    for (const [, values] of cases) {
      const x = host([2, n / 2], 'float32', values);
      const t = host([n], 'float32', values);
      const a = up(t);
      const b = up(x);
      for (const op of ['argmax', 'argmin'] as const) {
        const r1 = k[op]!(a, 0);
        await expectMatches(r1, reference.argReduceRef(op, t, 0), { rtol: 0, atol: 0 });
        const r2 = k[op]!(b, 1);
        await expectMatches(r2, reference.argReduceRef(op, x, 1), { rtol: 0, atol: 0 });
        disposeAll(r1, r2);
      }
      disposeAll(a.storage, b.storage);
    }
  });
});

describe('GEMM past one K slice', () => {
  it('matmul with K = 200,000 (split-K) within 1e-6 relative, every transpose', async () => {
    const K = 200_000;
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const A = randu(rng, ta ? [K, 2] : [2, K], 0, 1);
      const B = randu(rng, tb ? [3, K] : [K, 3], 0, 1);
      const a = up(A);
      const b = up(B);
      const c = k.matmul(a, b, ta, tb, [2, 3]);
      await expectMatches(c, reference.matmulRef(A, B, ta, tb), { rtol: 1e-6, atol: 0 });
      disposeAll(a.storage, b.storage, c);
    }
  });

  it('conv2dBackwardWeight over a large batch (K = N·Ho·Wo = 51,200) with groups', async () => {
    const p = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 } as const;
    const X = randn(rng, [32, 4, 40, 40]);
    const dY = randn(rng, [32, 6, 40, 40]);
    const x = up(X);
    const dy = up(dY);
    const dw = k.conv2dBackwardWeight(x, dy, [6, 2, 3, 3], p);
    await expectMatches(dw, reference.conv2dBackwardWeightRef(X, dY, [6, 2, 3, 3], p), { rtol: 1e-4, atol: 1e-4 });
    disposeAll(x.storage, dy.storage, dw);
  });

  it('linear with bias through split-K', async () => {
    const X = randn(rng, [2, 10_000]);
    const W = randn(rng, [3, 10_000]);
    const Bv = randn(rng, [3]);
    const [x, w, b] = [up(X), up(W), up(Bv)];
    const y = k.linear!(x, w, b, [2, 3]);
    await expectMatches(y, reference.linearRef(X, W, Bv), { rtol: 1e-4, atol: 1e-4 });
    disposeAll(x.storage, w.storage, b.storage, y);
  });
});

describe('softmax rows longer than a workgroup', () => {
  it('softmax and logSoftmax over 50,000 columns, and over a leading axis', async () => {
    const X = randn(rng, [2, 50_000], 3);
    const Y = randn(rng, [700, 3], 3);
    const [x, y] = [up(X), up(Y)];
    const s = k.softmax!(x, 1);
    await expectMatches(s, reference.softmaxRef(X, 1), { rtol: 1e-4, atol: 1e-9 });
    const l = k.logSoftmax!(y, 0);
    await expectMatches(l, reference.logSoftmaxRef(Y, 0), { rtol: 1e-5, atol: 1e-5 });
    disposeAll(x.storage, y.storage, s, l);
  });
});
