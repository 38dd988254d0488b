import { tanh as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** tanh (float32). */
export const tanh = unaryFloat(impl);
