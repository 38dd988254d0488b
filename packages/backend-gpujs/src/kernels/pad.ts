/** Constant pad: each output coordinate maps back by its `before` pad or lands in the padding. */
import { mergeUnpaddedAxes, sizeOf, stridesOf } from '@flint/core/backend';
import { MAXR, genOffsets, memoSource, padConstants } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import {
  constantNames,
  genOffsetsWide,
  ltConstWide,
  madWide,
  subConstWide,
  threadWide,
  withLimbs,
  zeroWide,
} from '../wide.js';

let checks = '';
for (let k = 0; k < MAXR; k++) {
  checks += `const i${k} = c${k} - this.constants.b${k};\n`;
  checks += `if (i${k} < 0 || i${k} >= this.constants.x${k}) { return v; }\n`;
  checks += `off = off + i${k} * this.constants.s${k};\n`;
}
const source = `function(a, v) {
${genOffsets('this.thread.x', 'd', [], '', true)}
let off = 0;
${checks}
return a[off];
}`;

const wideSources = new Map<string, string>();
/** Wide: the walk and the checks cover the tensor's `rank` dims (the others are 1 and unpadded). */
const wideSource = (rank: number) =>
  memoSource(wideSources, String(rank), () => {
    let s = `function(a, v) {\n${threadWide('i')}${genOffsetsWide('i', 'd', [], MAXR, rank)}${zeroWide('off')}`;
    for (let k = MAXR - rank; k < MAXR; k++) {
      s += `if (${ltConstWide(`c${k}`, `b${k}`)}) { return v; }\n${subConstWide(`c${k}`, `b${k}`)}`;
      s += `if (!${ltConstWide(`c${k}`, `x${k}`)}) { return v; }\n${madWide('off', `c${k}`, `s${k}`, `p${k}`)}`;
    }
    return `${s}return a[offH][offL];\n}`;
  });

export const pad = (ctx: GpuContext) => (ref: Ref, padding: readonly (readonly [number, number])[], value: number) => {
  // On the fewest axes that express the padding, so ranks past MAXR work when few axes are padded.
  const merged = mergeUnpaddedAxes(ref.shape, padding);
  const x: Ref = { ...ref, shape: merged.shape };
  const pads = merged.pads;
  const outShape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const n = sizeOf(outShape);
  if (sizeOf(x.shape) === 0) return ctx.fill(n, value, x.dtype);
  const c: Record<string, number> = {};
  padConstants('d', outShape, 1, c);
  padConstants(
    'b',
    pads.map((p) => p[0]),
    0,
    c,
  );
  padConstants('x', x.shape, 1, c);
  padConstants('s', stridesOf(x.shape), 0, c);
  if (ctx.needsWide(n)) {
    withLimbs(
      c,
      ['d', 'b', 'x', 's'].flatMap((p) => constantNames(p, MAXR)),
    );
    const rank = Math.max(1, x.shape.length);
    return ctx.run(`pad/wide${rank}`, wideSource(rank), c, n, [x.storage, value], x.dtype, 'limbs');
  }
  return ctx.run('pad', source, c, n, [x.storage, value], x.dtype);
};
