import { erf as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** erf (float32). */
export const erf = unaryFloat(impl);
