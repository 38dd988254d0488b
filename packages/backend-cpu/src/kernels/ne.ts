import { ne as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** ne with NumPy broadcasting. */
export const ne = binary(impl);
