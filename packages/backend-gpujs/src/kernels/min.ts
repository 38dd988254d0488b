/** min over axes (never called on an empty reduction); NaN propagates. */
import { reduceKernel } from '../reduce.js';

export const min = reduceKernel('min', 'let acc = x[off_k];', 'if (v < acc || v != v) { acc = v; }', null);
