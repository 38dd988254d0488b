/** cast: float -> int truncates toward zero; anything -> bool is (x != 0); int/bool -> float is a copy. */
import { sizeOf, type DType } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { COPY_SOURCE } from './concat.js';

const TRUNC = `function(a) {\nconst x = a[this.thread.x];\nif (x < 0) { return Math.ceil(x); }\nreturn Math.floor(x);\n}`;
const TO_BOOL = `function(a) {\nconst x = a[this.thread.x];\nif (x == 0) { return 0; }\nreturn 1;\n}`;

export const cast = (ctx: GpuContext) => (x: Ref, dtype: DType) => {
  const n = sizeOf(x.shape);
  if (dtype === 'bool') return ctx.run('cast/bool', TO_BOOL, {}, n, [x.storage], dtype);
  if (dtype === 'int32' && x.dtype === 'float32') return ctx.run('cast/trunc', TRUNC, {}, n, [x.storage], dtype);
  return ctx.run('copy', COPY_SOURCE, {}, n, [x.storage], dtype);
};
