/**
 * `@flint/backend-cpu`: every kernel of Flint's contract on typed arrays. Importing the package
 * registers the 'cpu' backend with core's registry (side effect).
 *
 * Imports only `@flint/core/backend` (types, registry, shape helpers), never core's main entry:
 * that one auto-loads installed backends with top-level await and would deadlock on us.
 */
import { registerBackend } from '@flint/core/backend';
import type { Backend } from '@flint/core/backend';
import { kernels } from './kernels.js';
import { CpuStorage, cpuMemory } from './storage.js';

export const cpuBackend: Backend<CpuStorage> = {
  name: 'cpu',
  packageName: '@flint/backend-cpu',
  kernels,
  engine: () => 'typed-arrays',
  priority: () => 50,
  memory: cpuMemory,
};

registerBackend(cpuBackend);

export { kernels, CpuStorage };
export { gemmImpl, setGemmImpl, type GemmImpl } from './impl/gemm.js';
export { cpuThreads, setCpuThreads, type CpuThreads, type CpuThreadsInfo } from './impl/gemm-threads.js';
