/** max over axes (never called on an empty reduction); NaN propagates. */
import { reduceKernel } from '../reduce.js';

export const max = reduceKernel('max', 'let acc = x[off_k];', 'if (v > acc || v != v) { acc = v; }', null);
