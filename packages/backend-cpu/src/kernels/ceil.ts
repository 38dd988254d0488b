import { ceil as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** ceil (float32). */
export const ceil = unaryFloat(impl);
