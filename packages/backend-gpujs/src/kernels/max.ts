/** max over axes (never called on an empty reduction); NaN propagates. */
import { reduceKernel } from '../reduce.js';

export const max = reduceKernel(
  'max',
  { init: 'let acc = 0;', step: 'if (found == 0 || v > acc || v != v) { acc = v; }', finish: 'return acc;' },
  null,
);
