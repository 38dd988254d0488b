/** prod over axes. Empty -> 1. */
import { reduceKernel } from '../reduce.js';

export const prod = reduceKernel('prod', { init: 'let acc = 1;', step: 'acc = acc * v;', finish: 'return acc;' }, 1);
