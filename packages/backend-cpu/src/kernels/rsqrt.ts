import { rsqrt as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** rsqrt (float32). */
export const rsqrt = unaryFloat(impl);
