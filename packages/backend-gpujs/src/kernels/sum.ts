/** sum over axes (float32 stays float32; int32 sums exactly below 2^24). Empty -> 0. */
import { reduceKernel } from '../reduce.js';

export const sum = reduceKernel('sum', 'let acc = 0;', 'acc = acc + v;', 0);
