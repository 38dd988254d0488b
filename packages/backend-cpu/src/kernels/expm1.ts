import { expm1 as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** expm1 (float32). */
export const expm1 = unaryFloat(impl);
