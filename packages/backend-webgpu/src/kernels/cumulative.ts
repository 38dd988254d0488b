/**
 * Inclusive scans along one axis: one invocation per line walks it in order (the CPU loop's order,
 * in f32; sums compensated), so results match a sequential scan. max/min keep a NaN once seen;
 * int32 wraps (WGSL integer arithmetic does).
 */
import type { ScanOp } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { forLine, lineGeometry } from '../lines.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params, wgslType } from '../wgsl.js';

function step(op: ScanOp, t: 'f32' | 'i32'): string {
  const nan = t === 'f32';
  switch (op) {
    case 'sum':
      // Kahan summation in f32 (exact for i32).
      return nan ? 'let y = v - comp; let s = acc + y; comp = (s - acc) - y; acc = s;' : 'acc = acc + v;';
    case 'prod':
      return 'acc = acc * v;';
    case 'max':
      return nan ? 'if (!is_nan(acc) && (is_nan(v) || v > acc)) { acc = v; }' : 'acc = max(acc, v);';
    case 'min':
      return nan ? 'if (!is_nan(acc) && (is_nan(v) || v < acc)) { acc = v; }' : 'acc = min(acc, v);';
  }
}

export const cumulative = (ctx: WebGpuContext) => (x: Ref, axis: number, op: ScanOp) => {
  const dev = ctx.device;
  const { n, inner, lines } = lineGeometry(x.shape, axis);
  const out = dev.alloc(lines * n, x.dtype);
  if (lines * n === 0) return out;
  const t = wgslType(x.dtype) === 'f32' ? 'f32' : 'i32';
  const pipe = dev.pipeline(
    `cumulative/${op}/${t}`,
    1,
    1,
    () =>
      bindings([['x', t]], [['out', t]]) +
      FLOAT_HELPERS +
      elementwiseMain(
        dev.workgroupSize,
        `  let n = pu(1u);
  let inner = pu(2u);
  let base = (i / inner) * n * inner + i % inner;
  var acc = x[base];
  var comp = ${t === 'f32' ? '0.0' : '0'};
  out[base] = acc;
  ${forLine(
    'n - 1u',
    `      let at = base + (k + 1u) * inner;
      let v = x[at];
      ${step(op, t)}
      out[at] = acc;`,
  )}`,
      ),
  );
  const params = new Params().u(lines).u(n).u(inner);
  dev.dispatch(pipe, [x.storage], [out], params.build(), dev.grid(Math.ceil(lines / dev.workgroupSize)));
  return out;
};
