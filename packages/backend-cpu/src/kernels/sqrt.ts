import { sqrt as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** sqrt (float32). */
export const sqrt = unaryFloat(impl);
