// maxPool2dBackward visits only the outputs whose window covers each input element (kH * kW at
// most), so an output plane past headless-gl's loop budget (60,000 iterations) works: scanning the
// whole plane, as before the kernel got the pooling parameters, refused it. Checked against
// backend-cpu's scatter on both engines, with overlapping windows, padding and dilation.
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@flint/backend-cpu';
import type { DataArray, Pool2dParams, Shape } from '@flint/core/backend';
import { createGpujsBackend } from './index.js';

const pool = (k: number, s: number, p: number, d = 1): Pool2dParams => ({
  kernelSize: [k, k],
  stride: [s, s],
  padding: [p, p],
  dilation: [d, d],
  ceilMode: false,
  countIncludePad: true,
});

/** Integer-valued, mostly distinct inputs: ties (which both sides break the same way) are rare. */
const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) - 5000);

describe.each([['headlessgl'], ['webasm']] as const)('maxPool2dBackward on %s', (mode) => {
  const gpu = createGpujsBackend({ mode, quiet: true });
  afterAll(() => gpu.destroy());

  for (const [label, xs, params] of [
    ['an output plane of 256 x 256 (past the loop budget)', [1, 2, 512, 512], pool(2, 2, 0)],
    ['overlapping windows, padding, dilation', [2, 3, 33, 31], pool(3, 2, 1, 2)],
  ] as [string, Shape, Pool2dParams][]) {
    it(label, () => {
      const span = (params.kernelSize[0] - 1) * params.dilation[0] + 1;
      const Ho = Math.floor((xs[2]! + 2 * params.padding[0] - span) / params.stride[0]) + 1;
      const Wo = Math.floor((xs[3]! + 2 * params.padding[1] - span) / params.stride[1]) + 1;
      const ys = [xs[0]!, xs[1]!, Ho, Wo];
      const x = values(xs.reduce((a, b) => a * b, 1));
      const dy = values(ys.reduce((a, b) => a * b, 1)).map((v) => v / 64);
      const run = (k: typeof cpuBackend.kernels | typeof gpu.kernels): DataArray => {
        const kk = k as typeof cpuBackend.kernels;
        const xh = kk.write(x, xs, 'float32');
        const r = kk.maxPool2d({ storage: xh, shape: xs, dtype: 'float32' }, params, ys);
        const dh = kk.write(dy, ys, 'float32');
        const dx = kk.maxPool2dBackward(
          { storage: dh, shape: ys, dtype: 'float32' },
          { storage: r.indices, shape: ys, dtype: 'int32' },
          xs,
          params,
        );
        const out = kk.readSync({ storage: dx, shape: xs, dtype: 'float32' });
        for (const s of [xh, r.values, r.indices, dh, dx]) kk.dispose(s);
        return out;
      };
      const want = run(cpuBackend.kernels);
      const got = run(gpu.kernels);
      let bad = -1;
      for (let i = 0; i < want.length && bad < 0; i++) if (got[i] !== want[i]) bad = i;
      expect(bad < 0 ? null : `[${bad}] got ${got[bad]}, expected ${want[bad]}`).toBeNull();
    });
  }
});
