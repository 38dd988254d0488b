import { div as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** div with NumPy broadcasting. */
export const div = binary(impl);
