/**
 * Training parity and the training leak test on WebGPU, through @flint/conformance (its trainer
 * reads each step's loss with `await loss.data()`, the one readback WebGPU allows): the shared
 * models, synthetic data, seed, optimizer and learning rates; per-step losses within 1e-4 relative
 * of @flint/backend-cpu over 50 steps; and 100 steps that grow nothing: core's memory(), the
 * backend's live buffers and bytes, and the GPUBuffers ever created (the pool must serve every step
 * after the first ones).
 */
import { cpuBackend } from '@flint/backend-cpu';
import { runParity, runTrainingLeakCheck } from '@flint/conformance';
import { webgpuBackend } from './index.js';

runParity({ backend: () => webgpuBackend, reference: () => cpuBackend, models: ['mlp-small', 'mlp', 'lenet'] });
runTrainingLeakCheck({
  backend: () => webgpuBackend,
  steps: 100,
  model: 'mlp-small',
  extraCounter: () => webgpuBackend.stats().buffersCreated,
  extraCounterName: 'GPUBuffers created',
});
