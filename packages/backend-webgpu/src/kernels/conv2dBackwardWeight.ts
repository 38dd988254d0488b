/** conv2dBackwardWeight: x, dy -> dw [O, C/groups, kh, kw], an implicit GEMM over (image, position) with split-K (conv.ts). */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { convLoaders } from '../conv.js';
import { gemm } from '../gemm.js';

export const conv2dBackwardWeight = (ctx: WebGpuContext) => (x: Ref, dy: Ref, wShape: Shape, p: Conv2dParams) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = wShape as [number, number, number, number];
  const [, , ho, wo] = dy.shape as [number, number, number, number];
  return gemm(ctx.device, {
    ...convLoaders('conv2dBackwardWeight', { c, h, w, o, kh, kw, ho, wo }, p),
    a: dy.storage,
    b: x.storage,
    z: p.groups,
    m: o / p.groups,
    n: cg * kh * kw,
    k: n * ho * wo,
    params: [],
    aKFastest: true,
    bKFastest: true,
  });
};
