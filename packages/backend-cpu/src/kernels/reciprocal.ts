import { reciprocal as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** reciprocal (float32). */
export const reciprocal = unaryFloat(impl);
