import { lt as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** lt with NumPy broadcasting. */
export const lt = binary(impl);
