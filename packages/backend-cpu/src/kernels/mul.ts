import { mul as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** mul with NumPy broadcasting. */
export const mul = binary(impl);
