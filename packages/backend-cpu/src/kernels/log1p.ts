import { log1p as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** log1p (float32). */
export const log1p = unaryFloat(impl);
