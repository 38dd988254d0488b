/**
 * Per-kernel tests: @flint/conformance's differential suite (every kernel on the same inputs on
 * this backend and on @flint/backend-cpu, the reference for values) on the engine a test file
 * picks, with tfjs's own checks: each output tf.Tensor's dtype, and tf.memory().numTensors
 * unchanged by every case. Not part of the build (test-* files are excluded).
 */
import { expect, it } from 'vitest';
import type { DType } from '@flint/core/backend';
import { cpuBackend } from '@flint/backend-cpu';
import { runDifferential } from '@flint/conformance';
import { createTfjsBackend } from './index.js';
import type { TfjsEngine } from './engine.js';
import { tf } from './tf.js';

export function describeKernels(engine: TfjsEngine): void {
  const backend = createTfjsBackend({ engine });
  runDifferential({
    backend: () => backend,
    reference: () => cpuBackend,
    expectedEngine: engine,
    outputDType: (t) => t.dtype as DType,
    extraCounter: () => tf.memory().numTensors,
    extraCounterName: 'tf.memory().numTensors',
  });
  it(`'${engine}' is tfjs's active backend, at this engine's priority`, async () => {
    await backend.init();
    expect(tf.getBackend()).toBe(engine);
    expect(backend.priority()).toBe({ tensorflow: 100, webgl: 60, wasm: 30, cpu: 20 }[engine]);
  });
}
