import type { ReduceKernel } from '@flint/core/backend';
import { prod as impl } from '../impl/reduce.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export const prod: ReduceKernel<CpuStorage> = (x, axes) => wrap(impl(x.storage.data, x.shape, axes));
