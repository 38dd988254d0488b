/** conv2dBackwardInput: dy [N,O,Ho,Wo] -> dx [N,C,H,W], an implicit GEMM over (o, ki, kj) (conv.ts). */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { convLoaders } from '../conv.js';
import { gemm } from '../gemm.js';

export const conv2dBackwardInput = (ctx: WebGpuContext) => (dy: Ref, weight: Ref, xShape: Shape, p: Conv2dParams) => {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, , kh, kw] = weight.shape as [number, number, number, number];
  const [, , ho, wo] = dy.shape as [number, number, number, number];
  return gemm(ctx.device, {
    ...convLoaders('conv2dBackwardInput', { c, h, w, o, kh, kw, ho, wo }, p),
    a: weight.storage,
    b: dy.storage,
    z: n * p.groups,
    m: c / p.groups,
    n: h * w,
    k: (o / p.groups) * kh * kw,
    params: [],
    aKFastest: true,
    bKFastest: false,
  });
};
