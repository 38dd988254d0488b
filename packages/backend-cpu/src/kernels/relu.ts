import { relu as impl } from '../impl/unary.js';
import { unaryAny } from './adapter.js';

/** relu (float32 or int32). */
export const relu = unaryAny(impl);
