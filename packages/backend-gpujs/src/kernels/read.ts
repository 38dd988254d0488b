/**
 * read: the asynchronous readback. gpu.js's GL readback (readPixels) is synchronous in Node, so
 * this resolves with the same data readSync gives.
 */
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { toDtype } from './readSync.js';

export const read = (ctx: GpuContext) => (x: Ref) => {
  try {
    return Promise.resolve(toDtype(ctx.readFloats(x.storage), x));
  } catch (e) {
    return Promise.reject(e);
  }
};
