/**
 * Inclusive scans along one axis. Pass 1 scans within chunks of CH elements (each output loops
 * from its chunk's start); lines longer than one chunk then get, per chunk, the combined totals of
 * the chunks before it (pass 2) folded in (pass 3). Sums are compensated within a chunk, as the
 * reductions are. max/min keep a NaN once seen.
 */
import type { ScanOp } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import { compensatedReturn, twoSumStep } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { lineConstants, lineOf } from '../lines.js';
import type { GpuStorage } from '../storage.js';
import { divmod, FLOAT_EXACT } from '../wide.js';

interface Fold {
  readonly init: string;
  /** Folds `v` into `acc`. */
  readonly step: string;
  readonly finish: string;
}

const FOLDS: Record<ScanOp, Fold> = {
  sum: { init: 'let comp = 0;', step: twoSumStep('acc', 'comp', 'v'), finish: compensatedReturn('acc', 'comp') },
  prod: { init: '', step: 'acc = acc * v;', finish: 'return acc;' },
  max: { init: '', step: 'if (acc == acc) { if (v > acc || v != v) { acc = v; } }', finish: 'return acc;' },
  min: { init: '', step: 'if (acc == acc) { if (v < acc || v != v) { acc = v; } }', finish: 'return acc;' },
};

/** Pass 1: the scan of each element within its chunk. */
const chunkSource = (f: Fold) => `function(x, one) {
${lineOf('this.thread.x')}
${divmod('j', 'this.constants.CH', 'ch', 'jl')}
const start = base + ch * this.constants.CH * this.constants.I;
let acc = x[start];
${f.init}
for (let kl = 1; kl < this.constants.CH; kl++) {
  if (kl <= jl) {
    const v = x[start + kl * this.constants.I];
    ${f.step}
  }
}
${f.finish}
}`;

/** Pass 2: for line l and chunk q >= 1, the fold of the totals (last scanned element) of chunks 0..q-1. */
const carrySource = (f: Fold) => `function(scanned, one) {
${divmod('this.thread.x', 'this.constants.P', 'l', 'q')}
${divmod('l', 'this.constants.I', 'o', 'i')}
const base = o * this.constants.N * this.constants.I + i;
let acc = scanned[base + (this.constants.CH - 1) * this.constants.I];
${f.init}
for (let c = 1; c < this.constants.P; c++) {
  if (c < q) {
    const v = scanned[base + ((c + 1) * this.constants.CH - 1) * this.constants.I];
    ${f.step}
  }
}
${f.finish}
}`;

/** Pass 3: element = carry of its chunk folded with its in-chunk scan (chunk 0 unchanged). */
const combineSource = (f: Fold) => `function(scanned, carry, one) {
${lineOf('this.thread.x')}
${divmod('j', 'this.constants.CH', 'ch', 'jl')}
const v = scanned[this.thread.x];
if (ch == 0) { return v; }
let acc = carry[(o * this.constants.I + i) * this.constants.P + ch];
${f.init}
${f.step}
${f.finish}
}`;

const SOURCES = Object.fromEntries(
  (Object.keys(FOLDS) as ScanOp[]).map((op) => [
    op,
    { chunk: chunkSource(FOLDS[op]), carry: carrySource(FOLDS[op]), combine: combineSource(FOLDS[op]) },
  ]),
) as Record<ScanOp, { chunk: string; carry: string; combine: string }>;

export const cumulative =
  (ctx: GpuContext) =>
  (x: Ref, axis: number, op: ScanOp): GpuStorage => {
    const total = sizeOf(x.shape);
    if (total === 0) return ctx.empty(x.dtype);
    if (ctx.needsWide(total)) {
      throw new Error(
        `@flint/backend-gpujs: cumulative ${op} of ${total} elements: offsets are computed in float32, exact only up to 2^24 = ${FLOAT_EXACT}.`,
      );
    }
    const c = lineConstants(x.shape, axis);
    const src = SOURCES[op];
    const scanned = ctx.run(`cumulative/${op}/chunk`, src.chunk, c, total, [x.storage, 1], x.dtype);
    if (c.P === 1) return scanned;
    const lines = total / c.N;
    const carry = ctx.run(`cumulative/${op}/carry`, src.carry, c, lines * c.P, [scanned, 1], x.dtype);
    const out = ctx.run(`cumulative/${op}/combine`, src.combine, c, total, [scanned, carry, 1], x.dtype);
    ctx.dispose(scanned);
    ctx.dispose(carry);
    return out;
  };
