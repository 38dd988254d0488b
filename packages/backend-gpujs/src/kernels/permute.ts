/** permute: out.shape[i] = x.shape[perm[i]] — a strided gather with permuted strides. */
import { stridesOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import { stridedGather, type Ref } from '../elementwise.js';

export const permute = (ctx: GpuContext) => (x: Ref, perm: readonly number[]) => {
  const s = stridesOf(x.shape);
  return stridedGather(
    ctx,
    'permute',
    x,
    perm.map((p) => x.shape[p]!),
    perm.map((p) => s[p]!),
    0,
  );
};
