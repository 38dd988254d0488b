/** indexSelect (torch.index_select): x viewed as [outer, X, inner], out [outer, L, inner] with rows index[j]. */
import { sizeOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain, Params } from '../wgsl.js';

export const indexSelect = (ctx: WebGpuContext) => (x: Ref, axis: number, index: Ref) => {
  const dev = ctx.device;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const len = index.shape[0]!;
  const n = sizeOf(x.shape.slice(0, axis)) * len * inner;
  const out = dev.alloc(n, x.dtype);
  if (n === 0) return out;
  const pipe = dev.pipeline(
    'indexSelect',
    2,
    1,
    () =>
      bindings(
        [
          ['x', 'u32'],
          ['idx', 'i32'],
        ],
        [['out', 'u32']],
      ) +
      elementwiseMain(
        dev.workgroupSize,
        `  let inner = pu(1u); let L = pu(2u); let X = pu(3u);
  let r = i % inner; let row = i / inner; let j = row % L; let o = row / L;
  out[i] = x[(o * X + u32(idx[j])) * inner + r];`,
      ),
  );
  const params = new Params().u(n).u(inner).u(len).u(x.shape[axis]!);
  dev.dispatch(pipe, [x.storage, index.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
