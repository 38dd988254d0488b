import type { ArgReduceKernel } from '@flint/core/backend';
import { argmin as impl } from '../impl/reduce.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export const argmin: ArgReduceKernel<CpuStorage> = (x, axis) => wrap(impl(x.storage.data, x.shape, axis));
