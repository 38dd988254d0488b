/** leakyRelu: max(0, x) + slope * min(0, x); the slope is a uniform. */
import { unaryParamKernel } from '../elementwise.js';

export const leakyRelu = unaryParamKernel('leakyRelu', () => 'if (x > 0.0) { return x; }\nreturn x * p;');
