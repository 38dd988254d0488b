/** conv2d: x [N,C,H,W] * weight [O, C/groups, kh, kw] -> [N, O, Ho, Wo], an implicit GEMM (conv.ts). No bias. */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { convLoaders } from '../conv.js';
import { gemm } from '../gemm.js';

export const conv2d = (ctx: WebGpuContext) => (x: Ref, weight: Ref, p: Conv2dParams, outShape: Shape) => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = weight.shape as [number, number, number, number];
  const [, , ho, wo] = outShape as [number, number, number, number];
  return gemm(ctx.device, {
    ...convLoaders('conv2d', { c, h, w, o, kh, kw, ho, wo }, p),
    a: weight.storage,
    b: x.storage,
    z: n * p.groups,
    m: o / p.groups,
    n: ho * wo,
    k: cg * kh * kw,
    params: [],
    aKFastest: true,
    bKFastest: false,
  });
};
