import { round as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** round (float32). */
export const round = unaryFloat(impl);
