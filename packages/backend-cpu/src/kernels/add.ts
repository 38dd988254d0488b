import { add as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** add with NumPy broadcasting. */
export const add = binary(impl);
