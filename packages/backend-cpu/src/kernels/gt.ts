import { gt as impl } from '../impl/binary.js';
import { binary } from './adapter.js';

/** gt with NumPy broadcasting. */
export const gt = binary(impl);
