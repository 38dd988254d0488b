/** abs: |x| (float32 and int32; abs(-2^31) stays -2^31, as int32 storage wraps). */
import { unaryKernel } from '../elementwise.js';

export const abs = unaryKernel('abs', () => 'return abs(x);');
