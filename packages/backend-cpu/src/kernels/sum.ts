import type { ReduceKernel } from '@flint/core/backend';
import { sum as impl } from '../impl/reduce.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export const sum: ReduceKernel<CpuStorage> = (x, axes) => wrap(impl(x.storage.data, x.shape, axes));
