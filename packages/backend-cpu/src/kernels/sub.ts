import { sub as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** sub with NumPy broadcasting. */
export const sub = binary(impl);
