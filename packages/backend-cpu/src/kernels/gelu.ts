import { gelu as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** gelu (float32). */
export const gelu = unaryFloat(impl);
