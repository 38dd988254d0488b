import { minimum as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** minimum with NumPy broadcasting. */
export const minimum = binary(impl);
