/**
 * @flint/core — PyTorch's programming model in TypeScript.
 * Importing it loads the installed backends (see backend/autoload.ts).
 */
import { autoloadBackends } from './backend/autoload.js';

export type * from './backend/kernels.js';
export {
  registerBackend,
  removeBackend,
  initBackends,
  getBackend,
  setBackend,
  listBackends,
  hasBackend,
} from './backend/registry.js';
export { autoloadReport } from './backend/autoload.js';
export { Tensor, type MaxMinResult, type NestedArray, type TensorOrScalar } from './tensor/tensor.js';
export * from './tensor/create.js';
export { tidy, keep } from './tensor/scope.js';
export { memory } from './tensor/memory.js';
export type { MemoryInfo } from './tensor/storage.js';
export {
  noGrad,
  enableGrad,
  isGradEnabled,
  setGradEnabled,
  inferenceMode,
  isInferenceModeEnabled,
} from './autograd/grad-mode.js';
export type { BackwardOptions } from './autograd/engine.js';
export * as autograd from './autograd/index.js';
export { Generator, manualSeed, initialSeed, defaultGenerator } from './random.js';
export * from './ops/functions.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * from './io/index.js';

await autoloadBackends();
