/** neg: -x (float32 and int32; int32 wraps at -2^31 as two's complement does). */
import { unaryKernel } from '../elementwise.js';

export const neg = unaryKernel('neg', () => 'return -x;');
