import { le as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** le with NumPy broadcasting. */
export const le = binary(impl);
