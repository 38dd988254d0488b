/** readSync: the synchronous readback (texture.toArray() on GL), converted to the tensor's dtype. */
import { arrayFor, type DataArray } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

export function toDtype(floats: Float32Array, x: Ref): DataArray {
  const out = arrayFor(x.dtype, floats.length);
  if (x.dtype === 'float32') (out as Float32Array).set(floats);
  else if (x.dtype === 'int32') {
    // Stored as float32: round, and clamp so that 2^31 (the float nearest 2^31 - 1) reads back as int32 max.
    for (let i = 0; i < floats.length; i++)
      out[i] = Math.min(2147483647, Math.max(-2147483648, Math.round(floats[i]!)));
  } else for (let i = 0; i < floats.length; i++) out[i] = floats[i] !== 0 ? 1 : 0;
  return out;
}

export const readSync = (ctx: GpuContext) => (x: Ref) => toDtype(ctx.readFloats(x.storage), x);
