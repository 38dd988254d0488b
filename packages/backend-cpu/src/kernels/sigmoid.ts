import { sigmoid as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** sigmoid (float32). */
export const sigmoid = unaryFloat(impl);
