/** slice with steps: out[i..] = x[begin + i * step ..] — a strided gather with a base offset. */
import { stridesOf, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import { stridedGather, type Ref } from '../elementwise.js';

export const slice =
  (ctx: GpuContext) => (x: Ref, begin: readonly number[], step: readonly number[], outShape: Shape) => {
    const s = stridesOf(x.shape);
    let base = 0;
    for (let i = 0; i < s.length; i++) base += begin[i]! * s[i]!;
    return stridedGather(
      ctx,
      'slice',
      x,
      outShape,
      s.map((st, i) => st * step[i]!),
      base,
    );
  };
