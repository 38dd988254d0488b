/**
 * The same suites on tfjs-node's native 'tensorflow' engine when @tensorflow/tfjs-node loads. Where
 * it cannot (its install downloads libtensorflow; offline there is no tfjs_binding.node), the file
 * prints why and asserts that the failure is exactly that missing binding, so a different breakage
 * is a test failure rather than a silent skip.
 */
import { describe, expect, it } from 'vitest';
import { runConformance } from '@flint/conformance';
import { createTfjsBackend } from './index.js';
import { describeKernels } from './test-kernels.js';

const backend = createTfjsBackend({ engine: 'tensorflow' });
let failure: string | null = null;
try {
  await backend.init();
} catch (err) {
  failure = err instanceof Error ? err.message : String(err);
}

if (failure === null) {
  runConformance({ backend: () => backend, expectedEngine: 'tensorflow', ops: true });
  describe('kernels vs cpu', () => describeKernels('tensorflow'));
} else {
  describe('tfjs-node (native tensorflow engine)', () => {
    it('is not loadable here, and only because its native binding is missing', () => {
      console.log(`tfjs-node engine not available, suites not run on it: ${failure}`);
      expect(failure).toMatch(/The Node\.js native addon module \(tfjs_binding\.node\) can not be found/);
      expect(backend.engineInfo()).toBeNull();
    });
  });
}
