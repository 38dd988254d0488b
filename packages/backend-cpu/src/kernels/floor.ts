import { floor as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** floor (float32). */
export const floor = unaryFloat(impl);
