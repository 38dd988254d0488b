/** @flint/conformance: the one suite every Flint backend runs, and the test helpers every package shares. */
export { runConformance, type ConformanceOptions } from './run.js';
export { withoutOptionalKernels } from './composed-backend.js';
export type { BackendFactory } from './backend-factory.js';
export { compareData, expectClose, withinTolerance, FLOAT32_TOLERANCE, type Tolerance } from './compare.js';
export { runDifferential, runDifferentialCase, type DifferentialOptions } from './differential/run.js';
export { buildDifferentialCases } from './differential/cases.js';
export type { DifferentialCase, DifferentialInput, DifferentialOutput } from './differential/types.js';
export {
  decodeTensor,
  loadAutogradFixture,
  loadModuleFixtures,
  loadOpFixtures,
  loadOptimFixtures,
  parseOptimFixtures,
  type AutogradFixture,
  type ModuleFixture,
  type OpFixture,
  type OptimFixture,
  type RawOptimCase,
  type RawTensor,
  type TorchArgs,
} from './fixtures/load.js';
export { Rng } from './reference/random.js';
export type { HostTensor } from './reference/tensor.js';
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
export {
  AUTOGRAD_FUNCTIONS,
  loadAutogradApiFixtures,
  runAutogradApiFixture,
  type AutogradApiFixture,
} from './ops/autograd-api.js';
export { LEAK_BUILDERS, NOT_OPS, leakSweepCoverage, publicOps, runLeakSweep, type LeakBuilder } from './ops/leaks.js';
export {
  runTransformerModuleFixture,
  runTransformerModuleFixtures,
  type TransformerModuleOptions,
} from './modules/transformer.js';
export {
  MODULE_FIXTURE_FILES,
  MODULE_TOLERANCE,
  callFixtureModule,
  moduleTolerance,
  runModuleFixture,
  runModuleFixtures,
  type ModuleFixtureFile,
  type ModuleFixtureOptions,
} from './modules/run.js';
export { MODULE_BUILDERS, buildFixtureModule, type FixtureModule } from './modules/builders.js';
