/**
 * torch.scatter_add, out of place, written gather-style (a fragment shader cannot scatter): each
 * output element of x's shape loops over index's extent along `axis` and sums the src values
 * whose index points at it (compensated, as duplicates may be many). Cost: |x| * index.shape[axis]
 * reads.
 */
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

let walk = '';
for (let k = 0; k < MAXR; k++) {
  walk += `if (c${k} >= this.constants.l${k}) { return base; }\n`;
  walk += `if (this.constants.ax == ${k}) { cAx = c${k}; }\n`;
  walk += `offI = offI + c${k} * this.constants.i${k};\n`;
  walk += `offS = offS + c${k} * this.constants.s${k};\n`;
}
const source = `function(x, ind, src, one) {
${genOffsets('this.thread.x', 'd', [], '', true)}
const base = x[this.thread.x];
let cAx = 0;
let offI = 0;
let offS = 0;
${walk}
let acc = base;
let comp = 0;
for (let j = 0; j < this.constants.J; j++) {
  if (Math.abs(ind[offI + j * this.constants.iAx] - cAx) < 0.5) {
    const v = src[offS + j * this.constants.sAx];
    ${twoSumStep('acc', 'comp', 'v')}
  }
}
${compensatedReturn('acc', 'comp')}
}`;

const wideSources = new Map<string, string>();
const wideSource = (rank: number) =>
  memoSource(wideSources, String(rank), () => {
    let s = `function(x, ind, src, one) {\n${threadWide('i')}${genOffsetsWide('i', 'd', [], MAXR, rank)}`;
    s += `const base = x[this.thread.x];\nlet cAxH = 0;\nlet cAxL = 0;\n${zeroWide('oi')}${zeroWide('os')}`;
    for (let k = MAXR - rank; k < MAXR; k++) {
      s += `if (!${ltConstWide(`c${k}`, `l${k}`)}) { return base; }\n`;
      s += `if (this.constants.ax == ${k}) { cAxH = c${k}H; cAxL = c${k}L; }\n`;
      s += `${madWide('oi', `c${k}`, `i${k}`, `i${k}`)}${madWide('os', `c${k}`, `s${k}`, `s${k}`)}`;
    }
    return `${s}let acc = base;
let comp = 0;
for (let j = 0; j < this.constants.J; j++) {
  const iv = ind[oiH][oiL];
  ${fromNarrow('iv', 'g')}
  if (gH == cAxH && gL == cAxL) {
    const v = src[osH][osL];
    ${twoSumStep('acc', 'comp', 'v')}
  }
  ${addConstWide('oi', 'iAx')}
  ${addConstWide('os', 'sAx')}
}
${compensatedReturn('acc', 'comp')}
}`;
  });

export const scatterAdd = (ctx: GpuContext) => (x: Ref, axis: number, index: Ref, src: Ref) => {
  const n = sizeOf(x.shape);
  if (n === 0) return ctx.empty(x.dtype);
  if (sizeOf(index.shape) === 0) return ctx.run('copy', COPY_SOURCE, {}, n, [x.storage], x.dtype);
  const is = stridesOf(index.shape);
  const ss = stridesOf(src.shape);
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
  padConstants(
    's',
    ss.map((s, k) => (k === axis ? 0 : s)),
    0,
    c,
  );
  c.ax = axis + (MAXR - r);
  checkLoopBudget(ctx.engine, 'scatterAdd', index.shape[axis]!, `index.shape[${axis}] = ${index.shape[axis]}`);
  c.J = index.shape[axis]!;
  c.iAx = is[axis]!;
  c.sAx = ss[axis]!;
  const args = [x.storage, index.storage, src.storage, 1];
  if (ctx.needsWide(n, index.storage.size, src.storage.size)) {
    withLimbs(c, [...['d', 'l', 'i', 's'].flatMap((p) => constantNames(p, MAXR)), 'iAx', 'sAx']);
    return ctx.run(`scatterAdd/wide${r}`, wideSource(r), c, n, args, x.dtype, 'limbs');
  }
  return ctx.run('scatterAdd', source, c, n, args, x.dtype);
};
