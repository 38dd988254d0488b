/** @flint/conformance: the one suite every Flint backend runs. */
export { runConformance, type ConformanceOptions } from './run.js';
export { compareData, FLOAT32_TOLERANCE, type Tolerance } from './compare.js';
export { runKernelCase } from './harness.js';
export { buildKernelCases, type KernelCaseTable, type KernelName } from './kernels/table.js';
export type { KernelCase, ComputeCase, CustomCase } from './kernels/types.js';
export * as reference from './reference/index.js';
export {
  runParity,
  runTrainingLeakCheck,
  measureParity,
  createParityModel,
  SyntheticDigits,
  PARITY_MODELS,
  PARITY_DEFAULT_LR,
  type ParityOptions,
  type TrainingLeakOptions,
  type ParityResult,
  type ParityModelName,
  type PerModel,
} from './parity.js';
export type { StorageModel } from './reference/storage-model.js';
export { LEAK_BUILDERS, NOT_OPS, leakSweepCoverage, publicOps, runLeakSweep, type LeakBuilder } from './ops/leaks.js';
