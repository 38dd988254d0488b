/** copy: a new storage with the same values (device to device). */
import { sizeOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { COPY_SOURCE } from './concat.js';

export const copy = (ctx: GpuContext) => (x: Ref) =>
  ctx.run('copy', COPY_SOURCE, {}, sizeOf(x.shape), [x.storage], x.dtype);
