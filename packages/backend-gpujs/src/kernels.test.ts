// Every kernel against @flint/backend-cpu's values, on headless-gl and on webasm.
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@flint/backend-cpu';
import type { Backend, DataArray } from '@flint/core/backend';
import { createGpujsBackend } from './backend.js';
import { buildCases, runCase } from './test-cases.js';

const cases = buildCases();

function expectClose(got: DataArray, want: DataArray, label: string): void {
  expect(got.constructor.name, label).toBe(want.constructor.name);
  expect(got.length, label).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const ok =
      want instanceof Float32Array
        ? Number.isNaN(w)
          ? Number.isNaN(g)
          : Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w)
        : g === w;
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${g}, cpu ${w}`);
  }
  expect(bad, label).toEqual([]);
}

describe.each([
  ['headlessgl', 'auto'],
  ['webasm', 'webasm'],
] as const)('kernels vs backend-cpu on %s', (engine, mode) => {
  const gpu = createGpujsBackend({ mode });
  const kernelsCovered = new Set<string>();
  afterAll(() => {
    console.log(
      `kernels vs backend-cpu [gpujs/${gpu.engine()}]: ${cases.length} cases over ${kernelsCovered.size} kernels`,
    );
    gpu.destroy();
  });

  it(`runs on ${engine}`, () => {
    expect(gpu.engine()).toBe(engine);
  });

  for (const c of cases) {
    it(c.name, () => {
      kernelsCovered.add(c.kernel);
      const before = gpu.memory();
      const got = runCase(gpu as Backend<unknown>, c);
      const want = runCase(cpuBackend as Backend<unknown>, c);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        expectClose(g, want[i]!, `${c.name} output ${i}`);
      });
      // Every storage the case created was freed.
      expect(gpu.memory()).toEqual(before);
    });
  }
});
