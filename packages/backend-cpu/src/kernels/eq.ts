import { eq as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** eq with NumPy broadcasting. */
export const eq = binary(impl);
