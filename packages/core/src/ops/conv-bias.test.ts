/**
 * conv2d with a bias on the optional fused kernel (cpu's conv2dBias) against core's composite
 * (conv2d, then a broadcast add) on the same backend: outputs and all three gradients bit for bit,
 * the kernel really running, and second-order gradients through the fused op.
 */
import '@flint/backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import type { Kernels } from '../backend/kernels.js';
import { autograd, enableGrad, getBackend, manualSeed, nn, randn, type Tensor } from '../index.js';
import { gradcheck } from '../nn/test-helpers.js';

const F = nn.functional;
const kernels = getBackend('cpu').kernels as Kernels<unknown>;

/** Runs `body` with cpu's conv2dBias hidden, so conv2d takes core's composite. */
function withoutFusedBias<T>(body: () => T): T {
  const saved = kernels.conv2dBias;
  delete (kernels as Partial<Kernels<unknown>>).conv2dBias;
  try {
    return body();
  } finally {
    kernels.conv2dBias = saved;
  }
}

const configs = [
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], opts: { padding: 1 } },
  { x: [3, 4, 9, 8], w: [6, 2, 3, 2], opts: { stride: [2, 1] as const, padding: [1, 2] as const, groups: 2 } },
  { x: [2, 2, 5, 5], w: [3, 2, 1, 1], opts: {} },
  { x: [3, 5, 6], w: [2, 3, 2, 2], opts: { padding: 'same' as const } }, // unbatched
  { x: [2, 1, 8, 8], w: [3, 1, 4, 4], opts: { padding: 'same' as const } }, // asymmetric 'same' padding
];

function run(c: (typeof configs)[number]): number[][] {
  manualSeed(31);
  const x = randn(c.x, { requiresGrad: true });
  const w = randn(c.w, { requiresGrad: true });
  const b = randn([c.w[0]!], { requiresGrad: true });
  const out = F.conv2d(x, w, b, c.opts);
  const cot = randn(out.shape);
  out.mul(cot).sum().backward();
  return [out, x.grad!, w.grad!, b.grad!].map((t: Tensor) => Array.from(t.dataSync()));
}

describe('conv2d with bias on the fused conv2dBias kernel', () => {
  it('equals the composite conv2d + broadcast add bit for bit: output and the x, weight and bias gradients', () => {
    for (const c of configs) {
      const spy = vi.spyOn(kernels as Required<Kernels<unknown>>, 'conv2dBias');
      const fused = run(c);
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
      expect(fused).toEqual(withoutFusedBias(() => run(c)));
    }
  });

  it('differentiates twice (gradcheck of a gradient through the fused op)', () => {
    manualSeed(32);
    const x = randn(1, 2, 5, 4, { requiresGrad: true });
    const w = randn(3, 2, 3, 2, { requiresGrad: true });
    const b = randn(3, { requiresGrad: true });
    const cot = randn(1, 3, 3, 3);
    gradcheck(
      () =>
        enableGrad(() => {
          const out = F.conv2d(x, w, b, {});
          const [gx, gw, gb] = autograd.grad(out.mul(cot).sum().square(), [x, w, b], { createGraph: true });
          return gx!.square().sum().add(gw!.square().sum()).add(gb!.square().sum());
        }),
      [x, w, b],
    );
  });
});
