/** minimum: elementwise min with NumPy broadcasting; NaN propagates. */
import { binaryKernel } from '../elementwise.js';

export const minimum = binaryKernel('minimum', (t) =>
  t === 'f32' ? 'if (is_nan(x) || is_nan(y)) { return f_nan(); }\nreturn min(x, y);' : 'return min(x, y);',
);
