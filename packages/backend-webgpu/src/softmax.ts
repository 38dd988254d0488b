/**
 * softmax / logSoftmax along one axis. The axis is made the last (a strided copy, when it is not),
 * then one workgroup per row: a tree max, a tree sum of exp(x - max), and the write. Rows longer
 * than a workgroup can scan within llvmpipe's loop limit are composed from the reduction and
 * elementwise kernels instead.
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from './context.js';
import type { GpuDevice } from './device.js';
import { stridedCopy } from './layout.js';
import { reduce } from './reduce.js';
import type { WebGpuStorage } from './storage.js';
import { bindings, FLOAT_HELPERS, Params } from './wgsl.js';
import { exp } from './kernels/exp.js';
import { log } from './kernels/log.js';
import { sub } from './kernels/sub.js';
import { div } from './kernels/div.js';

export type SoftmaxOp = 'softmax' | 'logSoftmax';

/** Rows at most this long run in one workgroup (each invocation loops ≤ 3 · ROW_MAX / workgroup). */
const ROW_MAX = 1 << 21;

function rowKernel(dev: GpuDevice, op: SoftmaxOp, x: WebGpuStorage, rows: number, len: number): WebGpuStorage {
  const wg = dev.workgroupSize;
  const out = dev.alloc(rows * len, 'float32');
  const tree = (combine: string) => `  red[lid] = acc;
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (lid < s) { let p = red[lid]; let q = red[lid + s]; red[lid] = ${combine}; }
  }
  workgroupBarrier();`;
  const write = op === 'softmax' ? 'exp(x[base + j] - m) / total' : 'x[base + j] - m - log(total)';
  const pipe = dev.pipeline(
    `${op}/rows`,
    1,
    1,
    () =>
      `${bindings([['x', 'f32']], [['out', 'f32']])}${FLOAT_HELPERS}
var<workgroup> red: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= pu(0u)) { return; }
  let R = pu(1u);
  let base = row * R;
  var acc = -f_inf();
  for (var j = lid; j < R; j += ${wg}u) {
    let v = x[base + j];
    acc = select(max(acc, v), v, is_nan(v) || is_nan(acc));
  }
${tree('select(max(p, q), f_nan(), is_nan(p) || is_nan(q))')}
  let m = red[0];
  workgroupBarrier();
  acc = 0.0;
  for (var j = lid; j < R; j += ${wg}u) { acc += exp(x[base + j] - m); }
${tree('p + q')}
  let total = red[0];
  for (var j = lid; j < R; j += ${wg}u) { out[base + j] = ${write}; }
}
`,
  );
  dev.dispatch(pipe, [x], [out], new Params().u(rows).u(len).build(), dev.grid(rows));
  return out;
}

/** The same result from separate kernels, for rows longer than ROW_MAX. */
function composite(ctx: WebGpuContext, op: SoftmaxOp, x: Ref, axis: number): WebGpuStorage {
  const dev = ctx.device;
  const kept = x.shape.map((d, i) => (i === axis ? 1 : d));
  const ref = (storage: WebGpuStorage, shape: readonly number[]): Ref => ({ storage, shape, dtype: 'float32' });
  const m = reduce(dev, 'max', x, [axis]);
  const shifted = sub(ctx)(x, ref(m, kept), x.shape);
  dev.free(m);
  const e = exp(ctx)(ref(shifted, x.shape));
  const total = reduce(dev, 'sum', ref(e, x.shape), [axis]);
  let out: WebGpuStorage;
  if (op === 'softmax') {
    out = div(ctx)(ref(e, x.shape), ref(total, kept), x.shape);
  } else {
    const lse = log(ctx)(ref(total, kept));
    out = sub(ctx)(ref(shifted, x.shape), ref(lse, kept), x.shape);
    dev.free(lse);
  }
  dev.free(shifted);
  dev.free(e);
  dev.free(total);
  return out;
}

export function softmaxLike(ctx: WebGpuContext, op: SoftmaxOp, x: Ref, axis: number): WebGpuStorage {
  const dev = ctx.device;
  const n = sizeOf(x.shape);
  const len = x.shape[axis]!;
  if (n === 0) return dev.alloc(0, 'float32');
  if (len > ROW_MAX) return composite(ctx, op, x, axis);
  const inner = sizeOf(x.shape.slice(axis + 1));
  if (inner === 1) return rowKernel(dev, op, x.storage, n / len, len);
  // Move the axis last, run the rows, move it back.
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()].filter((d) => d !== axis).concat([axis]);
  const strides = stridesOf(x.shape);
  const moved = stridedCopy(
    dev,
    x.storage,
    perm.map((d) => x.shape[d]!),
    0,
    perm.map((d) => strides[d]!),
  );
  const rowsOut = rowKernel(dev, op, moved, n / len, len);
  dev.free(moved);
  const movedShape = perm.map((d) => x.shape[d]!);
  const movedStrides = stridesOf(movedShape);
  // Inverse permutation: output dim d reads moved dim perm.indexOf(d).
  const back = stridedCopy(
    dev,
    rowsOut,
    x.shape,
    0,
    x.shape.map((_, d) => movedStrides[perm.indexOf(d)]!),
  );
  dev.free(rowsOut);
  return back;
}
