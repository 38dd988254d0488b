import { ge as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** ge with NumPy broadcasting. */
export const ge = binary(impl);
