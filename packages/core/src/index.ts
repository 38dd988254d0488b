/**
 * @flint/core — PyTorch's programming model in TypeScript.
 * Importing it loads the installed backends in Node and starts initialising every registered
 * backend; `await ready()` waits for those whose engine starts asynchronously (backend/autoload.ts).
 * No top-level await: CommonJS require(), IIFE bundles and older targets load it.
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
export { autoloadReport, ready, type AutoloadReport } from './backend/autoload.js';
export { Tensor, type MaxMinResult, type NestedArray, type TensorOrScalar } from './tensor/tensor.js';
export * from './tensor/create.js';
export { tidy, keep } from './tensor/scope.js';
export { setOpTracer, type OpTracer } from './ops/op.js';
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

autoloadBackends();
