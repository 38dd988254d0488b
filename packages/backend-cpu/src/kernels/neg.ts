import { neg as impl } from '../impl/unary.js';
import { unaryAny } from './adapter.js';

/** neg (float32 or int32). */
export const neg = unaryAny(impl);
