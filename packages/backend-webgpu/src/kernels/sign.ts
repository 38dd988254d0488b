/** sign: -1, 0 or 1; sign(NaN) = 0 as PyTorch's (0 < x) - (x < 0). float32 and int32. */
import { unaryKernel } from '../elementwise.js';

export const sign = unaryKernel('sign', (t) =>
  t === 'f32'
    ? 'if (is_nan(x)) { return 0.0; }\nreturn select(0.0, 1.0, x > 0.0) - select(0.0, 1.0, x < 0.0);'
    : 'return select(0, 1, x > 0) - select(0, 1, x < 0);',
);
