/** oneHot: int32 indices [...] -> [..., numClasses] of dtype (1 where the class matches, else 0). */
import { sizeOf, type DType } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { wordOf } from '../layout.js';
import { bindings, elementwiseMain, Params } from '../wgsl.js';

export const oneHot = (ctx: WebGpuContext) => (indices: Ref, numClasses: number, dtype: DType) => {
  const dev = ctx.device;
  const n = sizeOf(indices.shape) * numClasses;
  const out = dev.alloc(n, dtype);
  if (n === 0) return out;
  const pipe = dev.pipeline(
    'oneHot',
    1,
    1,
    () =>
      bindings([['idx', 'i32']], [['out', 'u32']]) +
      elementwiseMain(
        dev.workgroupSize,
        '  let row = i / pu(1u);\n  out[i] = select(0u, pu(2u), idx[row] == i32(i - row * pu(1u)));',
      ),
  );
  const params = new Params().u(n).u(numClasses).u(wordOf(1, dtype));
  dev.dispatch(pipe, [indices.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
