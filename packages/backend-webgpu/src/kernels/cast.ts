/** cast: float -> int truncates toward zero; anything -> bool is (x != 0, NaN included); int/bool -> float converts. */
import { sizeOf, type DType } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params, wgslType } from '../wgsl.js';

function conversion(from: DType, to: DType): string {
  if (to === 'bool') return from === 'float32' ? 'select(0u, 1u, is_nan(v) || v != 0.0)' : 'select(0u, 1u, v != 0)';
  if (to === 'int32') return from === 'float32' ? 'i32(trunc(v))' : 'i32(v)';
  return 'f32(v)';
}

export const cast = (ctx: WebGpuContext) => (x: Ref, dtype: DType) => {
  const dev = ctx.device;
  const n = sizeOf(x.shape);
  const out = dev.alloc(n, dtype);
  if (n === 0) return out;
  if (dtype === x.dtype) {
    dev.copy(x.storage, 0, out, 0, n);
    return out;
  }
  const from = wgslType(x.dtype);
  const to = wgslType(dtype);
  const pipe = dev.pipeline(
    `cast/${from}/${to}`,
    1,
    1,
    () =>
      bindings([['x', from]], [['out', to]]) +
      FLOAT_HELPERS +
      elementwiseMain(dev.workgroupSize, `  let v = x[i];\n  out[i] = ${conversion(x.dtype, dtype)};`),
  );
  dev.dispatch(pipe, [x.storage], [out], new Params().u(n).build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
