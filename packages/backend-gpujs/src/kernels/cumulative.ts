/**
 * Inclusive scans along one axis as a Hillis-Steele scan: ceil(log2 N) passes, each combining
 * every element with the one `shift` positions before it on its line (shift = 1, 2, 4, ...: a
 * uniform, so every pass runs the one compiled kernel). No loops, so no chunking for llvmpipe's
 * loop limit; a sum is a tree of additions (error growing with log N). max/min keep a NaN once seen.
 */
import type { ScanOp } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { lineConstants, lineOf } from '../lines.js';
import type { GpuStorage } from '../storage.js';
import { FLOAT_EXACT } from '../wide.js';

/** `acc` = earlier element `w` combined with this one. */
const COMBINE: Record<ScanOp, string> = {
  sum: 'acc = w + v;',
  prod: 'acc = w * v;',
  max: 'if (w != w || v != v) { if (w != w) { acc = w; } } else { if (w > v) { acc = w; } }',
  min: 'if (w != w || v != v) { if (w != w) { acc = w; } } else { if (w < v) { acc = w; } }',
};

const passSource = (op: ScanOp) => `function(y, shift) {
${lineOf('this.thread.x')}
const v = y[this.thread.x];
if (j < shift) { return v; }
const w = y[this.thread.x - shift * this.constants.I];
let acc = v;
${COMBINE[op]}
return acc;
}`;

const SOURCES = Object.fromEntries(
  (['sum', 'prod', 'max', 'min'] as const).map((op) => [op, passSource(op)]),
) as Record<ScanOp, string>;

export const cumulative =
  (ctx: GpuContext) =>
  (x: Ref, axis: number, op: ScanOp): GpuStorage => {
    const total = sizeOf(x.shape);
    if (total === 0) return ctx.empty(x.dtype);
    // No wide (two-limb) variant: flat offsets are float32, exact below 2^24.
    if (total > FLOAT_EXACT) {
      throw new Error(
        `@flint/backend-gpujs: cumulative ${op} of ${total} elements: offsets are computed in float32, exact only up to 2^24 = ${FLOAT_EXACT}.`,
      );
    }
    const { N, I } = lineConstants(x.shape, axis);
    const c = { N, I };
    // The first pass reads x; each later one the previous pass (a kernel never returns its input).
    let y = ctx.run(`cumulative/${op}`, SOURCES[op], c, total, [x.storage, 1], x.dtype);
    for (let shift = 2; shift < N; shift *= 2) {
      const next = ctx.run(`cumulative/${op}`, SOURCES[op], c, total, [y, shift], x.dtype);
      ctx.dispose(y);
      y = next;
    }
    return y;
  };
