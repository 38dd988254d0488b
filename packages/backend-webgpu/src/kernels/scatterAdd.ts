/**
 * scatterAdd (torch.scatter_add, out of place): a copy of x, then one invocation per index element
 * adds src there. Duplicate targets sum through atomics (int32: atomicAdd; float32: a
 * compare-exchange loop on the bits, as WGSL has no float atomics), so the summation order of
 * duplicates is not fixed: results agree to float32 rounding, not bit for bit, across runs.
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { atomicAddCode } from '../atomics.js';
import { checkRank } from '../elementwise.js';
import { bindings, coalesce, elementwiseMain, Params, walkOffsets } from '../wgsl.js';

export const scatterAdd = (ctx: WebGpuContext) => (x: Ref, axis: number, index: Ref, src: Ref) => {
  const dev = ctx.device;
  const out = dev.alloc(x.storage.size, x.dtype);
  dev.copy(x.storage, 0, out, 0, x.storage.size);
  const n = sizeOf(index.shape);
  if (n === 0) return out;
  const xs = stridesOf(x.shape);
  const walk = coalesce(index.shape, [xs.map((s, d) => (d === axis ? 0 : s)), stridesOf(src.shape)]);
  const rank = walk.shape.length;
  checkRank('scatterAdd', rank, 2);
  const float = x.dtype === 'float32';
  const pipe = dev.pipeline(
    `scatterAdd/${float ? 'f32' : 'i32'}/r${rank}`,
    2,
    1,
    () =>
      bindings(
        [
          ['idx', 'i32'],
          ['src', float ? 'f32' : 'i32'],
        ],
        [['out', float ? 'atomic<u32>' : 'atomic<i32>']],
      ) +
      elementwiseMain(
        dev.workgroupSize,
        `${walkOffsets('i', rank, 2, [
          { name: 'o', stridesAt: 2 + rank },
          { name: 's', stridesAt: 2 + 2 * rank },
        ])}  let at = off_o + u32(idx[i]) * pu(1u);
  let v = src[off_s];
${atomicAddCode(float, 'out[at]', 'v')}`,
      ),
  );
  const params = new Params().u(n).u(xs[axis]!).us(walk.shape).us(walk.strides[0]!).us(walk.strides[1]!);
  dev.dispatch(pipe, [index.storage, src.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
