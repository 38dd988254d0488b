/** Per-kernel tests vs @flint/backend-cpu on tfjs's cpu engine (one engine per vitest worker). */
import { describe, expect, it } from 'vitest';
import type { Conv2dParams } from '@flint/core/backend';
import { reference, Rng } from '@flint/conformance';
import { describeKernels } from './test-kernels.js';
import { composedFilterGrad, nativeFilterGrad } from './kernels/conv2dBackwardWeight.js';
import { tf } from './tf.js';

describeKernels('cpu');

// The conv weight gradient runs tfjs's native Conv2DBackpropFilter only on tfjs-node (cpu's is slow
// naive loops). The cpu engine has the kernel, so here the native path is checked against the composed one.
describe('conv2dBackwardWeight: native Conv2DBackpropFilter path equals the composed one', () => {
  const cases: [number[], number[], Conv2dParams][] = [
    [[2, 3, 9, 8], [4, 3, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }],
    [[2, 2, 11, 10], [3, 2, 3, 2], { stride: [2, 3], padding: [1, 2], dilation: [1, 1], groups: 1 }],
  ];
  for (const [xs, ws, p] of cases) {
    it(`x [${xs}] w [${ws}] stride [${p.stride}] pad [${p.padding}]`, () => {
      const [n, , h, w] = xs as [number, number, number, number];
      const [o, c, kh, kw] = ws as [number, number, number, number];
      const ho = Math.floor((h + 2 * p.padding[0] - kh) / p.stride[0]) + 1;
      const wo = Math.floor((w + 2 * p.padding[1] - kw) / p.stride[1]) + 1;
      const rng = new Rng(1);
      const x = tf.tensor(Float32Array.from(reference.randn(rng, xs).data), xs);
      const dy = tf.tensor(Float32Array.from(reference.randn(rng, [n, o, ho, wo]).data), [n, o, ho, wo]);
      const diff = tf.tidy(() => {
        const a = nativeFilterGrad(x, dy, [kh, kw, c, o], p);
        const b = composedFilterGrad(x, dy, kh, kw, p);
        return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      });
      expect(diff).toBeLessThan(1e-4);
      x.dispose();
      dy.dispose();
    });
  }
});
