/** prod over axes. Empty -> 1. */
import { reduceKernel } from '../reduce.js';

export const prod = reduceKernel('prod', 'let acc = 1;', 'acc = acc * v;', 1);
