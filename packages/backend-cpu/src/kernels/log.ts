import { log as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** log (float32). */
export const log = unaryFloat(impl);
