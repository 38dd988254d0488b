/** where: cond (bool) ? a : b, the three broadcast to outShape; copies 32-bit words (any dtype, bit-exact). */
import { broadcastStrides, sizeOf, type Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { checkRank } from '../elementwise.js';
import { bindings, coalesce, elementwiseMain, Params, walkOffsets } from '../wgsl.js';

export const where = (ctx: WebGpuContext) => (cond: Ref, a: Ref, b: Ref, outShape: Shape) => {
  const dev = ctx.device;
  const n = sizeOf(outShape);
  const out = dev.alloc(n, a.dtype);
  if (n === 0) return out;
  const walk = coalesce(
    outShape,
    [cond, a, b].map((r) => broadcastStrides(r.shape, outShape)),
  );
  const rank = walk.shape.length;
  checkRank('where', rank, 3);
  const operands = ['c', 'a', 'b'].map((name, k) => ({ name, stridesAt: 1 + (k + 1) * rank }));
  const pipe = dev.pipeline(
    `where/r${rank}`,
    3,
    1,
    () =>
      bindings(
        [
          ['c', 'u32'],
          ['a', 'u32'],
          ['b', 'u32'],
        ],
        [['out', 'u32']],
      ) +
      elementwiseMain(
        dev.workgroupSize,
        `${walkOffsets('i', rank, 1, operands)}  out[i] = select(b[off_b], a[off_a], c[off_c] != 0u);`,
      ),
  );
  const params = new Params().u(n).us(walk.shape);
  for (const s of walk.strides) params.us(s);
  dev.dispatch(
    pipe,
    [cond.storage, a.storage, b.storage],
    [out],
    params.build(),
    dev.grid(Math.ceil(n / dev.workgroupSize)),
  );
  return out;
};
