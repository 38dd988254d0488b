/**
 * Training parity (issue 3) on headless-gl: models train 50 SGD steps here and on
 * @flint/backend-cpu from manualSeed(0) with identical weights and batches; per-step losses agree
 * within 1e-4 relative. Plus the leak test: 100 training steps, Flint's memory() and the
 * backend's texture count the same after step 10 and step 100. Runs under xvfb-run.
 *
 * The 784-512-512-10 ReLU MLP is not held to 1e-4 here: at step 2 one first-layer ReLU input is
 * 6.3e-8 from zero and float32 summation order puts it on opposite sides of 0 on the two
 * backends; the runs then diverge (5.2e-3 relative by step 44) although every layer agrees
 * within float32 rounding on identical weights. See README "Parity".
 */
import { cpuBackend } from '@flint/backend-cpu';
import { runParity, runTrainingLeakCheck } from '@flint/conformance';
import { gpujsBackend } from './index.js';

runParity({ backend: () => gpujsBackend, reference: () => cpuBackend, models: ['mlp-small', 'lenet'] });
runTrainingLeakCheck({ backend: () => gpujsBackend, steps: 100, model: 'mlp-small' });
