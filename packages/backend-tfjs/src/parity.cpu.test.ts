/**
 * Training parity (issue 4) on tfjs's cpu engine (this file's worker runs only cpu): the three
 * models train 50 SGD steps here and on @flint/backend-cpu from manualSeed(0) with identical
 * batches; per-step losses agree within 1e-4 relative. Plus the leak test: 100 training steps,
 * tf.memory().numTensors (and Flint's memory()) the same after step 10 and step 100.
 */
import { cpuBackend } from '@flint/backend-cpu';
import { runParity, runTrainingLeakCheck } from '@flint/conformance';
import { createTfjsBackend } from './index.js';
import { tf } from './tf.js';

const backend = createTfjsBackend({ engine: 'cpu' });

runParity({ backend: () => backend, reference: () => cpuBackend });
runTrainingLeakCheck({
  backend: () => backend,
  steps: 100,
  model: 'mlp-small',
  extraCounter: () => tf.memory().numTensors,
  extraCounterName: 'tf.numTensors',
});
