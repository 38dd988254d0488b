/** permute: out.shape[i] = x.shape[perm[i]] (a strided word copy). */
import { stridesOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { stridedCopy } from '../layout.js';

export const permute = (ctx: WebGpuContext) => (x: Ref, perm: readonly number[]) => {
  const strides = stridesOf(x.shape);
  return stridedCopy(
    ctx.device,
    x.storage,
    perm.map((p) => x.shape[p]!),
    0,
    perm.map((p) => strides[p]!),
  );
};
