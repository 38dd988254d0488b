// The wide (two-limb) kernels that tensors past 2^24 elements use (wide.ts), exercised on the
// differential suite's small inputs by forcing them for every size (wideAbove: 0): every kernel
// must agree with @flint/backend-cpu exactly as the narrow kernels do (kernels.test.ts), on both
// engines. large.test.ts runs some of them at their real sizes.
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@flint/backend-cpu';
import { runDifferential } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';

const WIDE_FAMILIES = [
  'add/wide',
  'where/wide',
  'slice/wide',
  'permute/wide',
  'expand/wide',
  'gather/wide',
  'indexSelect/wide',
  'concat/wide',
  'oneHot/wide',
  'pad/wide',
  'scatterAdd/wide',
  'scatter/none/wide',
  'scatter/sum/wide',
  'scatter/prod/wide',
  'scatter/amax/wide',
  'scatter/amin/wide',
  'sum/wide',
  'prod/wide',
  'max/wide',
  'min/wide',
  'argmax/wide',
  'argmin/wide',
  'matmul/split',
  'conv2d/wide',
  'conv2dBackwardInput/wide',
  'conv2dBackwardWeight/wide',
  'maxPool2d/wide',
  'maxPool2dBackward/wide',
  'avgPool2d/wide',
  'avgPool2dBackward/wide',
];

describe.each([
  ['headlessgl', { int32ExactBelow: 2 ** 24, flushSubnormals: true }],
  ['webasm', { int32ExactBelow: 2 ** 24 }],
] as const)('wide kernels vs backend-cpu on %s', (engine, storage) => {
  const gpu = createGpujsBackend({ mode: engine, wideAbove: 0, quiet: true });
  afterAll(() => gpu.destroy());
  runDifferential({
    backend: () => gpu,
    reference: () => cpuBackend,
    expectedEngine: engine,
    outputDType: (s) => s.dtype,
    storage,
    // Mesa folds log1p's (1 + x) - 1 correction on GL (see kernels.test.ts); log1p has no wide variant.
    ...(engine === 'headlessgl' ? { tolerances: { log1p: { rtol: 1e-4, atol: 1e-5 } } } : {}),
  });

  it('every kernel family with index arithmetic ran its wide source', () => {
    const names = new Set(gpu.context.cache.keys().map((key) => key.split('|')[0]!));
    const missing = WIDE_FAMILIES.filter((family) => ![...names].some((name) => name.startsWith(family)));
    expect(missing).toEqual([]);
  });
});

it('wideAbove past 2^24 is refused', () => {
  expect(() => createGpujsBackend({ mode: 'webasm', wideAbove: 2 ** 24 + 1 })).toThrow(
    /wideAbove must be in \[0, 2\^24\]/,
  );
});
