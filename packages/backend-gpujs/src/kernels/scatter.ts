/**
 * torch.scatter / scatter_reduce, out of place, written gather-style (a fragment shader cannot
 * scatter): each output element of x's shape loops over index's extent along `axis` and folds the
 * src values whose index points at it, in index order, so an overwrite keeps the last duplicate
 * as the CPU kernel does. Sums are compensated (duplicates may be many). Cost: |x| *
 * index.shape[axis] reads.
 */
import type { ScatterReduction } from '@flint/core/backend';
import { sizeOf, stridesOf } from '@flint/core/backend';
import {
  MAXR,
  checkLoopBudget,
  compensatedReturn,
  genOffsets,
  memoSource,
  padConstants,
  twoSumStep,
} from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import {
  addConstWide,
  constantNames,
  fromNarrow,
  genOffsetsWide,
  ltConstWide,
  madWide,
  threadWide,
  withLimbs,
  zeroWide,
} from '../wide.js';
import { COPY_SOURCE } from './concat.js';

/** How one incoming value `v` folds into `acc` (NaN propagates through amax/amin, as torch). */
function foldCode(reduce: ScatterReduction): string {
  switch (reduce) {
    case 'none':
      return 'acc = v;\n';
    case 'sum':
      return twoSumStep('acc', 'comp', 'v');
    case 'prod':
      return 'acc = acc * v;\n';
    case 'amax':
      return 'if (v != v) { acc = v; } else if (acc == acc && v > acc) { acc = v; }\n';
    case 'amin':
      return 'if (v != v) { acc = v; } else if (acc == acc && v < acc) { acc = v; }\n';
  }
}

/** The body run for a matching index element: without includeSelf the first value replaces x's. */
function visitCode(reduce: ScatterReduction): string {
  return `const v = VALUE;
if (started < 0.5) { acc = v; started = 1; } else { ${foldCode(reduce)} }
`;
}

const returnCode = (reduce: ScatterReduction) => (reduce === 'sum' ? compensatedReturn('acc', 'comp') : 'return acc;');

let walk = '';
for (let k = 0; k < MAXR; k++) {
  walk += `if (c${k} >= this.constants.l${k}) { return base; }\n`;
  walk += `if (this.constants.ax == ${k}) { cAx = c${k}; }\n`;
  walk += `offI = offI + c${k} * this.constants.i${k};\n`;
}

const sources = new Map<string, string>();
const source = (reduce: ScatterReduction) =>
  memoSource(
    sources,
    reduce,
    () => `function(x, ind, src, one) {
${genOffsets('this.thread.x', 'd', [], '', true)}
const base = x[this.thread.x];
let cAx = 0;
let offI = 0;
${walk}
let acc = base;
let comp = 0;
let started = this.constants.inc;
for (let j = 0; j < this.constants.J; j++) {
  if (Math.abs(ind[offI + j * this.constants.iAx] - cAx) < 0.5) {
    ${visitCode(reduce).replace('VALUE', 'src[offI + j * this.constants.iAx]')}
  }
}
${returnCode(reduce)}
}`,
  );

const wideSources = new Map<string, string>();
const wideSource = (reduce: ScatterReduction, rank: number) =>
  memoSource(wideSources, `${reduce}/${rank}`, () => {
    let s = `function(x, ind, src, one) {\n${threadWide('i')}${genOffsetsWide('i', 'd', [], MAXR, rank)}`;
    s += `const base = x[this.thread.x];\nlet cAxH = 0;\nlet cAxL = 0;\n${zeroWide('oi')}`;
    for (let k = MAXR - rank; k < MAXR; k++) {
      s += `if (!${ltConstWide(`c${k}`, `l${k}`)}) { return base; }\n`;
      s += `if (this.constants.ax == ${k}) { cAxH = c${k}H; cAxL = c${k}L; }\n`;
      s += madWide('oi', `c${k}`, `i${k}`, `i${k}`);
    }
    return `${s}let acc = base;
let comp = 0;
let started = this.constants.inc;
for (let j = 0; j < this.constants.J; j++) {
  const iv = ind[oiH][oiL];
  ${fromNarrow('iv', 'g')}
  if (gH == cAxH && gL == cAxL) {
    ${visitCode(reduce).replace('VALUE', 'src[oiH][oiL]')}
  }
  ${addConstWide('oi', 'iAx')}
}
${returnCode(reduce)}
}`;
  });

export const scatter =
  (ctx: GpuContext) => (x: Ref, axis: number, index: Ref, src: Ref, reduce: ScatterReduction, includeSelf: boolean) => {
    const n = sizeOf(x.shape);
    if (n === 0) return ctx.empty(x.dtype);
    if (sizeOf(index.shape) === 0) return ctx.run('copy', COPY_SOURCE, {}, n, [x.storage], x.dtype);
    // src has index's shape, so one walk (index's strides) addresses both.
    const is = stridesOf(index.shape);
    const r = x.shape.length;
    const c: Record<string, number> = {};
    padConstants('d', x.shape, 1, c);
    // Limits: coordinates beyond index's extent receive nothing (the axis itself is unlimited).
    padConstants(
      'l',
      x.shape.map((d, k) => (k === axis ? d : index.shape[k]!)),
      1,
      c,
    );
    padConstants(
      'i',
      is.map((s, k) => (k === axis ? 0 : s)),
      0,
      c,
    );
    c.ax = axis + (MAXR - r);
    checkLoopBudget(ctx.engine, 'scatter', index.shape[axis]!, `index.shape[${axis}] = ${index.shape[axis]}`);
    c.J = index.shape[axis]!;
    c.iAx = is[axis]!;
    c.inc = includeSelf || reduce === 'none' ? 1 : 0;
    const args = [x.storage, index.storage, src.storage, 1];
    if (ctx.needsWide(n, index.storage.size)) {
      withLimbs(c, [...['d', 'l', 'i'].flatMap((p) => constantNames(p, MAXR)), 'iAx']);
      return ctx.run(`scatter/${reduce}/wide${r}`, wideSource(reduce, r), c, n, args, x.dtype, 'limbs');
    }
    return ctx.run(`scatter/${reduce}`, source(reduce), c, n, args, x.dtype);
  };
