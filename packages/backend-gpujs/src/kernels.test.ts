// Every kernel against @flint/backend-cpu's values (@flint/conformance's differential suite), on
// headless-gl and on webasm. The storage models are the ones the conformance tests declare.
import { afterAll, describe } from 'vitest';
import { cpuBackend } from '@flint/backend-cpu';
import { runDifferential, type DifferentialOptions } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';
import type { GpuStorage } from './storage.js';

type Declared = Pick<DifferentialOptions<GpuStorage>, 'storage' | 'tolerances'>;

const HEADLESSGL: Declared = { storage: { int32ExactBelow: 2 ** 24, flushSubnormals: true } };
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
