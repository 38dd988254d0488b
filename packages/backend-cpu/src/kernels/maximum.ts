import { maximum as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** maximum with NumPy broadcasting. */
export const maximum = binary(impl);
