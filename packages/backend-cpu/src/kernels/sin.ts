import { sin as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** sin (float32). */
export const sin = unaryFloat(impl);
