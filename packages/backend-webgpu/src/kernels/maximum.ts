/** maximum: elementwise max with NumPy broadcasting; NaN propagates. */
import { binaryKernel } from '../elementwise.js';

export const maximum = binaryKernel('maximum', (t) =>
  t === 'f32' ? 'if (is_nan(x) || is_nan(y)) { return f_nan(); }\nreturn max(x, y);' : 'return max(x, y);',
);
