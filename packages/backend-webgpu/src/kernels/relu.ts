/** relu: max(0, x); NaN stays NaN. */
import { unaryKernel } from '../elementwise.js';

export const relu = unaryKernel('relu', (t) =>
  t === 'f32' ? 'if (is_nan(x)) { return x; }\nreturn max(x, 0.0);' : `return max(x, ${t}(0));`,
);
