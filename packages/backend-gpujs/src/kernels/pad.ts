/** Constant pad: each output coordinate maps back by its `before` pad or lands in the padding. */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { MAXR, genOffsets, padConstants } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

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

export const pad = (ctx: GpuContext) => (x: Ref, pads: readonly (readonly [number, number])[], value: number) => {
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
  return ctx.run('pad', source, c, n, [x.storage, value], x.dtype);
};
