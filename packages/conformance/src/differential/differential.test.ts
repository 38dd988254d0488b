/**
 * The differential harness must catch what it claims to (checked with a tiny host backend with
 * deliberate faults against a correct one), and its case list must cover every computing kernel.
 */
import { describe, expect, it } from 'vitest';
import { buildKernelCases, type KernelName } from '../kernels/table.js';
import { host } from '../reference/index.js';
import { tinyBackend, type TinyStore } from '../test-backend.js';
import { buildDifferentialCases } from './cases.js';
import { runDifferentialCase } from './run.js';
import { CaseList, type DifferentialCase, f32 } from './types.js';

const list = new CaseList();
const a = host([4], 'float32', [1, -2, 3, -4]);
const b = host([4], 'float32', [0.5, 0.5, 0.5, 0.5]);
list.add('add', 'add', [a, b], (k, [x, y]) => [k.add(x!, y!, [4])], [f32([4])]);
list.add('neg', 'neg', [a], (k, [x]) => [k.neg(x!)], [f32([4])]);
list.add('relu', 'relu', [a], (k, [x]) => [k.relu(x!)], [f32([4])]);
list.add('copy', 'copy', [a], (k, [x]) => [k.copy(x!)], [f32([4])]);
list.add(
  'neg',
  'neg of a view',
  [{ ...host([2, 2], 'float32', [1, 2, 3, 4]), storageShape: [4] }],
  (k, [x]) => [k.neg(x!)],
  [f32([2, 2])],
);
const caseNamed = (name: string) => list.cases.find((c) => c.name === name)!;
const addCase = caseNamed('add');
const negCase = caseNamed('neg');
const reluCase = caseNamed('relu');
const copyCase = caseNamed('copy');
const viewCase = caseNamed('neg of a view');
const reference = tinyBackend({}, 'reference');
const claimedDType = (s: unknown) => (s as TinyStore).dtype;

describe('runDifferentialCase', () => {
  it('passes a backend that agrees with the reference, on both backends leaving no handle behind', async () => {
    const bk = tinyBackend();
    for (const c of [addCase, negCase, reluCase, copyCase, viewCase])
      await runDifferentialCase(bk, reference, c, { outputDType: claimedDType });
    expect(bk.memory().handles).toBe(0);
    expect(reference.memory().handles).toBe(0);
  });
  it('fails on values outside tolerance, naming the element', async () => {
    await expect(runDifferentialCase(tinyBackend({ addOffset: 1e-3 }), reference, addCase)).rejects.toThrow(
      /output 0 float32 \[4\] vs reference\[0\]: got 1\.501/,
    );
  });
  it('accepts values inside a loosened tolerance', async () => {
    await runDifferentialCase(tinyBackend({ addOffset: 1e-3 }), reference, addCase, {
      tolerance: { rtol: 0, atol: 2e-3 },
    });
  });
  it('fails when the reference is the faulty one (the reference is checked too)', async () => {
    await expect(
      runDifferentialCase(tinyBackend(), tinyBackend({ leakInNeg: true }, 'faulty-reference'), negCase),
    ).rejects.toThrow(/faulty-reference: 0 handles \/ 0 bytes before the case, 1 \/ 0 after/);
  });
  it('fails on a leaked handle', async () => {
    await expect(runDifferentialCase(tinyBackend({ leakInNeg: true }), reference, negCase)).rejects.toThrow(
      /tiny: 0 handles \/ 0 bytes before the case, 1 \/ 0 after/,
    );
  });
  it('fails when a kernel modifies its input', async () => {
    await expect(runDifferentialCase(tinyBackend({ mutateInRelu: true }), reference, reluCase)).rejects.toThrow(
      /tiny input 0 after the kernel ran \(kernels must not modify inputs\)/,
    );
  });
  it("fails when an output is an input's storage", async () => {
    await expect(runDifferentialCase(tinyBackend({ aliasInCopy: true }), reference, copyCase)).rejects.toThrow(
      /is an input's storage/,
    );
  });
  it("fails when the backend's storage claims another dtype than the output's", async () => {
    await expect(
      runDifferentialCase(tinyBackend({ negClaimsInt32: true }), reference, negCase, { outputDType: claimedDType }),
    ).rejects.toThrow(/storage has dtype int32, expected float32/);
  });
  it('fails when read returns the wrong array type', async () => {
    await expect(runDifferentialCase(tinyBackend({ negReadsAsInt32: true }), reference, negCase)).rejects.toThrow(
      /read\(\) returned Int32Array, expected Float32Array/,
    );
  });
  it('fails when readSync disagrees with read', async () => {
    await expect(runDifferentialCase(tinyBackend({ readSyncOffset: 1 }), reference, negCase)).rejects.toThrow(
      /readSync vs read\[0\]: got 0, expected -1/,
    );
  });
  it('fails when the extra counter grows during a case', async () => {
    const bk = tinyBackend({ leakEngineTensorInRelu: true });
    await expect(
      runDifferentialCase(bk, reference, reluCase, { extraCounter: bk.engineTensors, extraCounterName: 'tensors' }),
    ).rejects.toThrow(/tensors was 0 before the case, 1 after/);
  });
  it('fails when the reference lacks the kernel', async () => {
    const c: DifferentialCase = { ...negCase, kernel: 'softmax' };
    await expect(runDifferentialCase(tinyBackend(), reference, c)).rejects.toThrow(
      /reference backend 'reference' does not provide softmax/,
    );
  });
});

describe('differential case list', () => {
  const cases = buildDifferentialCases();
  it('covers every kernel that computes (write, read, readSync and dispose run in every case)', () => {
    const memoryOnly = new Set(['write', 'read', 'readSync', 'dispose']);
    const kernels = Object.keys(buildKernelCases()).filter((k) => !memoryOnly.has(k));
    const covered = new Set(cases.map((c) => c.kernel));
    expect(kernels.filter((k) => !covered.has(k as KernelName))).toEqual([]);
  });
  it('names every case uniquely within its kernel', () => {
    const seen = new Set<string>();
    const duplicates = cases.map((c) => `${c.kernel}: ${c.name}`).filter((n) => seen.has(n) || !seen.add(n));
    expect(duplicates).toEqual([]);
  });
  it('keeps every case of the two per-backend harnesses it replaced (160 from gpu.js, 139 from tfjs) plus two', () => {
    // Kernels and cases added since come on top; none of the 301 may go.
    expect(cases.length).toBeGreaterThanOrEqual(301);
  });
  it('builds the same inputs every time (seeded, independent of order)', () => {
    const again = buildDifferentialCases();
    cases.forEach((c, i) => {
      expect(again[i]!.name).toBe(c.name);
      c.inputs.forEach((t, j) => {
        expect(Array.from(again[i]!.inputs[j]!.data)).toEqual(Array.from(t.data));
      });
    });
  });
});
