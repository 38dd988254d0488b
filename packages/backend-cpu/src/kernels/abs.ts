import { abs as impl } from '../impl/unary.js';
import { unaryAny } from './adapter.js';

/** abs (float32 or int32). */
export const abs = unaryAny(impl);
