/**
 * The harness must catch what it claims to: wrong values, leaked handles, modified inputs and
 * outputs that alias an input. Checked against a tiny host backend with deliberate faults.
 */
import { describe, expect, it } from 'vitest';
import { runKernelCase } from './harness.js';
import { FLOAT32_TOLERANCE } from './compare.js';
import { buildKernelCases } from './kernels/table.js';
import { kc } from './kernels/types.js';
import { host, mapBinary, scatterAddRef } from './reference/index.js';
import { tinyBackend } from './test-backend.js';

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
