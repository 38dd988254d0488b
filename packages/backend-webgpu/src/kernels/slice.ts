/** slice: out[i0,i1,..] = x[begin0 + i0*step0, ...] (a strided word copy from a base offset). */
import { stridesOf, type Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { stridedCopy } from '../layout.js';

export const slice =
  (ctx: WebGpuContext) => (x: Ref, begin: readonly number[], step: readonly number[], outShape: Shape) => {
    const strides = stridesOf(x.shape);
    let base = 0;
    for (let d = 0; d < strides.length; d++) base += begin[d]! * strides[d]!;
    return stridedCopy(
      ctx.device,
      x.storage,
      outShape,
      base,
      strides.map((s, d) => s * step[d]!),
    );
  };
