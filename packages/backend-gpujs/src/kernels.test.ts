// Every kernel against @flint/backend-cpu's values (@flint/conformance's differential suite), on
// headless-gl and on webasm. The storage models are the ones the conformance tests declare.
import { afterAll, describe } from 'vitest';
import { cpuBackend } from '@flint/backend-cpu';
import { runDifferential, type DifferentialOptions } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';
import type { GpuStorage } from './storage.js';

type Declared = Pick<DifferentialOptions<GpuStorage>, 'storage' | 'tolerances'>;

const HEADLESSGL: Declared = {
  storage: { int32ExactBelow: 2 ** 24, flushSubnormals: true },
  // The GL shader compiler (Mesa llvmpipe here) folds log1p's (1 + x) - 1 correction to x, so for |x| < ~1e-4 the
  // result is log(fround(1 + x)): 0 for 1e-10, 1.00135e-5 for 1e-5 (webasm keeps the correction).
  // The default float32 tolerance (atol 1e-5) instead of the case's near-0 relative one.
  tolerances: { log1p: { rtol: 1e-4, atol: 1e-5 } },
};
const WEBASM: Declared = { storage: { int32ExactBelow: 2 ** 24 } };

describe.each([
  ['headlessgl', 'auto', HEADLESSGL],
  ['webasm', 'webasm', WEBASM],
] as const)('kernels vs backend-cpu on %s', (engine, mode, declared) => {
  const gpu = createGpujsBackend({ mode });
  afterAll(() => gpu.destroy());
  runDifferential({
    backend: () => gpu,
    reference: () => cpuBackend,
    expectedEngine: engine,
    outputDType: (s) => s.dtype,
    ...declared,
  });
});
