// Both GEMM variants on whatever adapter runs the tests: the default instance uses the adapter's
// choice ('direct' on CPU adapters such as llvmpipe, 'tiled' on GPUs), so the other one is checked
// here on a second instance against the shared kernel cases of every GEMM-based kernel, plus a
// split-K product.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKernelCases, compareData, FLOAT32_TOLERANCE, reference, Rng, runKernelCase } from '@flint/conformance';
import { createWebGpuBackend } from './backend.js';
import type { GemmKind } from './device.js';

const GEMM_KERNELS = ['matmul', 'linear', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight'] as const;

describe.each(['tiled', 'direct'] as GemmKind[])('GEMM variant %s', (gemm) => {
  const backend = createWebGpuBackend({ gemm });
  beforeAll(async () => {
    await backend.init();
  });
  afterAll(() => backend.destroy());

  const table = buildKernelCases();
  for (const name of GEMM_KERNELS) {
    describe(name, () => {
      for (const c of table[name]) it(c.name, () => runKernelCase(backend as never, c, FLOAT32_TOLERANCE));
    });
  }

  it('split-K: [3, 9000] x [9000, 40] within 1e-5 relative', async () => {
    const rng = new Rng(5);
    const A = reference.randu(rng, [3, 9000], 0, 1);
    const B = reference.randu(rng, [9000, 40], 0, 1);
    const k = backend.kernels;
    const a = k.write(reference.toDataArray(A), A.shape, 'float32');
    const b = k.write(reference.toDataArray(B), B.shape, 'float32');
    const c = k.matmul(
      { storage: a, shape: A.shape, dtype: 'float32' },
      { storage: b, shape: B.shape, dtype: 'float32' },
      false,
      false,
      [3, 40],
    );
    const got = await k.read({ storage: c, shape: [3, 40], dtype: 'float32' });
    expect(compareData(got, reference.matmulRef(A, B), { rtol: 1e-5, atol: 0 })).toEqual([]);
    for (const s of [a, b, c]) k.dispose(s);
  });
});
