import { square as impl } from '../impl/unary.js';
import { unaryAny } from './adapter.js';

/** square (float32 or int32). */
export const square = unaryAny(impl);
