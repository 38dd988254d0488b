/**
 * The harness must catch what it claims to: wrong values, leaked handles, modified inputs and
 * outputs that alias an input. Checked against a tiny host backend with deliberate faults.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, DataArray, DType, Kernels, Shape, TensorRef } from '@flint/core/backend';
import { runKernelCase } from './harness.js';
import { FLOAT32_TOLERANCE } from './compare.js';
import { buildKernelCases } from './kernels/table.js';
import { kc } from './kernels/types.js';
import { host, mapBinary, scatterAddRef } from './reference/index.js';

interface Store {
  data: DataArray;
}

function tinyBackend(
  faults: { addOffset?: number; leakInNeg?: boolean; mutateInRelu?: boolean; aliasInCopy?: boolean } = {},
) {
  let live = 0;
  const make = (data: DataArray): Store => {
    live++;
    return { data };
  };
  const k = {
    write: (d: DataArray) => make(d.slice() as DataArray),
    read: async (x: TensorRef<Store>) => x.storage.data.slice() as DataArray,
    readSync: (x: TensorRef<Store>) => x.storage.data.slice() as DataArray,
    dispose: () => {
      live--;
    },
    add: (a: TensorRef<Store>, b: TensorRef<Store>) => {
      const out = new Float32Array(a.storage.data.length);
      for (let i = 0; i < out.length; i++) out[i] = a.storage.data[i]! + b.storage.data[i]! + (faults.addOffset ?? 0);
      return make(out);
    },
    neg: (x: TensorRef<Store>) => {
      if (faults.leakInNeg) make(new Float32Array(1));
      return make(Float32Array.from(x.storage.data, (v) => -v));
    },
    relu: (x: TensorRef<Store>) => {
      if (faults.mutateInRelu) x.storage.data.fill(0);
      return make(Float32Array.from(x.storage.data, (v) => Math.max(v, 0)));
    },
    copy: (x: TensorRef<Store>) => (faults.aliasInCopy ? x.storage : make(x.storage.data.slice() as DataArray)),
    fill: (shape: Shape, _dtype: DType, v: number) => make(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v)),
  };
  const backend = {
    name: 'tiny',
    packageName: 'tiny',
    kernels: k as unknown as Kernels<unknown>,
    engine: () => 'host',
    priority: () => 0,
    memory: () => ({ handles: live, bytes: 0 }),
  } satisfies Backend<unknown>;
  return backend;
}

const a = host([4], 'float32', [1, -2, 3, -4]);
const b = host([4], 'float32', [0.5, 0.5, 0.5, 0.5]);
const addCase = kc(
  'add',
  [a, b],
  (k, [x, y]) => [k.add(x!, y!, [4])],
  () => [mapBinary('add', a, b)],
);
const negCase = kc(
  'neg',
  [a],
  (k, [x]) => [k.neg(x!)],
  () => [host([4], 'float32', [-1, 2, -3, 4])],
);
const reluCase = kc(
  'relu',
  [a],
  (k, [x]) => [k.relu(x!)],
  () => [host([4], 'float32', [1, 0, 3, 0])],
);
const copyCase = kc(
  'copy',
  [a],
  (k, [x]) => [k.copy(x!)],
  () => [a],
);

describe('runKernelCase', () => {
  it('passes a correct backend', async () => {
    const bk = tinyBackend();
    for (const c of [addCase, negCase, reluCase, copyCase]) await runKernelCase(bk, c, FLOAT32_TOLERANCE);
    expect(bk.memory().handles).toBe(0);
  });
  it('fails on values outside tolerance', async () => {
    await expect(runKernelCase(tinyBackend({ addOffset: 1e-3 }), addCase, FLOAT32_TOLERANCE)).rejects.toThrow(
      /got 1\.501/,
    );
  });
  it('accepts values inside a loosened tolerance', async () => {
    await runKernelCase(tinyBackend({ addOffset: 1e-3 }), addCase, { rtol: 0, atol: 2e-3 });
  });
  it('fails on a leaked handle', async () => {
    await expect(runKernelCase(tinyBackend({ leakInNeg: true }), negCase, FLOAT32_TOLERANCE)).rejects.toThrow(
      /live handles/,
    );
  });
  it('fails when a kernel modifies its input', async () => {
    await expect(runKernelCase(tinyBackend({ mutateInRelu: true }), reluCase, FLOAT32_TOLERANCE)).rejects.toThrow(
      /must not modify inputs/,
    );
  });
  it("fails when an output is an input's storage", async () => {
    await expect(runKernelCase(tinyBackend({ aliasInCopy: true }), copyCase, FLOAT32_TOLERANCE)).rejects.toThrow(
      /return new storage/,
    );
  });
});

describe('kernel case table', () => {
  it('has cases for every kernel, and every case has a unique name within its kernel', () => {
    const table = buildKernelCases();
    for (const [name, cases] of Object.entries(table)) {
      expect(cases.length, name).toBeGreaterThan(0);
      const names = cases.map((c) => c.name);
      expect(new Set(names).size, `${name}: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`).toBe(
        names.length,
      );
    }
  });
  it('scatterAdd duplicates really collide in the reference', () => {
    const x = host([3], 'float32', [0, 0, 0]);
    const r = scatterAddRef(x, 0, host([4], 'int32', [1, 1, 1, 2]), host([4], 'float32', [1, 2, 3, 4]));
    expect(Array.from(r.data)).toEqual([0, 6, 4]);
  });
});
