import { cos as impl } from '../impl/unary.js';
import { unaryFloat } from './adapter.js';

/** cos (float32). */
export const cos = unaryFloat(impl);
