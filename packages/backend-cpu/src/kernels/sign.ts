import { sign as impl } from '../impl/unary.js';
import { unaryAny } from './adapter.js';

/** sign (float32 or int32). */
export const sign = unaryAny(impl);
