/**
 * scatter (torch.scatter / scatter_reduce, out of place), written gather-style: one invocation per
 * element of x loops over index's extent along the axis and folds the src values aimed at it in
 * index order. The fold order is then fixed (an overwrite keeps the last duplicate, as the CPU
 * kernel does) and no float atomics are needed for prod/amax/amin. Cost: |x| · index.shape[axis].
 */
import type { ScatterReduction } from '@flint/core/backend';
import { sizeOf, stridesOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { PARAM_WORDS } from '../device.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params, wgslType } from '../wgsl.js';

/** Parameter words before the per-dim lists: count, axis, J, index stride along the axis, includeSelf. */
const HEAD = 5;

function foldCode(reduce: ScatterReduction, float: boolean): string {
  switch (reduce) {
    case 'none':
      return 'acc = v;';
    case 'sum':
      // Kahan-compensated: duplicates may be many.
      return float ? 'let y = v - comp; let t = acc + y; comp = (t - acc) - y; acc = t;' : 'acc = acc + v;';
    case 'prod':
      return 'acc = acc * v;';
    case 'amax':
      return float
        ? 'if (is_nan(v)) { acc = v; } else if (!is_nan(acc) && v > acc) { acc = v; }'
        : 'acc = max(acc, v);';
    case 'amin':
      return float
        ? 'if (is_nan(v)) { acc = v; } else if (!is_nan(acc) && v < acc) { acc = v; }'
        : 'acc = min(acc, v);';
  }
}

export const scatter =
  (ctx: WebGpuContext) =>
  (x: Ref, axis: number, index: Ref, src: Ref, reduce: ScatterReduction, includeSelf: boolean) => {
    const dev = ctx.device;
    const n = sizeOf(x.shape);
    const out = dev.alloc(n, x.dtype);
    if (n === 0) return out;
    if (sizeOf(index.shape) === 0) {
      dev.copy(x.storage, 0, out, 0, n);
      return out;
    }
    const rank = x.shape.length;
    if (HEAD + 3 * rank > PARAM_WORDS)
      throw new Error(
        `@flint/backend-webgpu: scatter over rank ${rank} is not supported (the limit is ${Math.floor((PARAM_WORDS - HEAD) / 3)}).`,
      );
    const t = wgslType(x.dtype);
    const float = t === 'f32';
    const dimsAt = HEAD;
    const limitsAt = HEAD + rank;
    const stridesAt = HEAD + 2 * rank;
    let walk = '  var rem = i;\n  var off_i = 0u;\n  var c_ax = 0u;\n  var inside = true;\n';
    for (let d = rank - 1; d >= 0; d--) {
      walk += d > 0 ? `  { let c = rem % pu(${dimsAt + d}u); rem = rem / pu(${dimsAt + d}u);\n` : '  { let c = rem;\n';
      walk += `    if (c >= pu(${limitsAt + d}u)) { inside = false; }\n`;
      walk += `    off_i += c * pu(${stridesAt + d}u);\n`;
      walk += `    if (pu(1u) == ${d}u) { c_ax = c; }\n  }\n`;
    }
    const pipe = dev.pipeline(
      `scatter/${reduce}/${t}/r${rank}`,
      3,
      1,
      () =>
        bindings(
          [
            ['x', t],
            ['idx', 'i32'],
            ['src', t],
          ],
          [['out', t]],
        ) +
        FLOAT_HELPERS +
        elementwiseMain(
          dev.workgroupSize,
          `${walk}  var acc = x[i];
  var comp = ${float ? '0.0' : `${t}(0)`};
  if (inside) {
    var started = pu(4u) != 0u;
    for (var j = 0u; j < pu(2u); j++) {
      let at = off_i + j * pu(3u);
      if (u32(idx[at]) == c_ax) {
        let v = src[at];
        if (!started) { acc = v; started = true; } else { ${foldCode(reduce, float)} }
      }
    }
  }
  out[i] = acc;`,
        ),
    );
    const is = stridesOf(index.shape);
    const params = new Params()
      .u(n)
      .u(axis)
      .u(index.shape[axis]!)
      .u(is[axis]!)
      .u(includeSelf || reduce === 'none' ? 1 : 0)
      .us(x.shape)
      .us(x.shape.map((d, k) => (k === axis ? d : index.shape[k]!)))
      .us(is.map((s, k) => (k === axis ? 0 : s)));
    dev.dispatch(
      pipe,
      [x.storage, index.storage, src.storage],
      [out],
      params.build(),
      dev.grid(Math.ceil(n / dev.workgroupSize)),
    );
    return out;
  };
