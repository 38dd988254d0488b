/**
 * sum over axes (float32 stays float32; int32 sums exactly below 2^24). Empty -> 0. Compensated
 * within each chunk of the tree reduction (see reduce.ts).
 */
import { compensatedReturn, twoSumStep } from '../codegen.js';
import { reduceKernel } from '../reduce.js';

export const sum = reduceKernel(
  'sum',
  {
    init: 'let acc = 0;\nlet comp = 0;',
    step: twoSumStep('acc', 'comp', 'v'),
    finish: compensatedReturn('acc', 'comp'),
    compensated: true,
  },
  0,
);
