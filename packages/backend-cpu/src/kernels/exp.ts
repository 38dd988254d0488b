import { exp as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** exp (float32). */
export const exp = unaryFloat(impl);
