/**
 * Stable sort along one axis: one invocation per element counts the elements of its line that sort
 * before it (smaller, NaN largest, or equal and earlier) — its rank — and writes its value and
 * position there. O(N^2) compares per line in one pass; the direction is a parameter word.
 */
import type { SortResult } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { forLine, lineGeometry } from '../lines.js';
import type { WebGpuStorage } from '../storage.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params, wgslType } from '../wgsl.js';

/** `a` sorts strictly before `b` ascending (NaN largest) — and descending with the flag. */
const ORDER = {
  f32: `fn less(a: f32, b: f32) -> bool { return !is_nan(a) && (is_nan(b) || a < b); }
fn same(a: f32, b: f32) -> bool { return a == b || (is_nan(a) && is_nan(b)); }`,
  i32: `fn less(a: i32, b: i32) -> bool { return a < b; }
fn same(a: i32, b: i32) -> bool { return a == b; }`,
};

export const sort =
  (ctx: WebGpuContext) =>
  (x: Ref, axis: number, descending: boolean): SortResult<WebGpuStorage> => {
    const dev = ctx.device;
    const total = sizeOf(x.shape);
    const values = dev.alloc(total, x.dtype);
    const indices = dev.alloc(total, 'int32');
    if (total === 0) return { values, indices };
    const t = wgslType(x.dtype) === 'f32' ? 'f32' : 'i32';
    const { n, inner } = lineGeometry(x.shape, axis);
    const pipe = dev.pipeline(
      `sort/${t}`,
      1,
      2,
      () =>
        bindings(
          [['x', t]],
          [
            ['values', t],
            ['indices', 'i32'],
          ],
        ) +
        FLOAT_HELPERS +
        ORDER[t] +
        elementwiseMain(
          dev.workgroupSize,
          `  let n = pu(1u);
  let inner = pu(2u);
  let desc = pu(3u) != 0u;
  let j = (i / inner) % n;
  let base = (i / (n * inner)) * n * inner + i % inner;
  let v = x[i];
  var rank = 0u;
  ${forLine(
    'n',
    `      let w = x[base + k * inner];
      var before = select(less(w, v), less(v, w), desc);
      if (!before && k < j && same(w, v)) { before = true; }
      if (before) { rank++; }`,
  )}
  values[base + rank * inner] = v;
  indices[base + rank * inner] = i32(j);`,
        ),
    );
    const params = new Params()
      .u(total)
      .u(n)
      .u(inner)
      .u(descending ? 1 : 0);
    dev.dispatch(pipe, [x.storage], [values, indices], params.build(), dev.grid(Math.ceil(total / dev.workgroupSize)));
    return { values, indices };
  };
