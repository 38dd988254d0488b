import { pow as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** pow with NumPy broadcasting. */
export const pow = binary(impl);
