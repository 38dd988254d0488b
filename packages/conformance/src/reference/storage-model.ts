/**
 * A backend's declared number storage, for backends that keep every value in float32 (gpu.js:
 * textures are float32, so int32 is exact only below 2^24) or whose math flushes subnormals (GL
 * shaders on many drivers). The suite applies the model in one place: host inputs are mapped to
 * what the backend can store before upload (so the float64 reference sees the same values), and
 * int32 results beyond the exact range compare after float32 rounding. A backend without a
 * declared model is held to exact int32 and full IEEE float32.
 */
import type { HostTensor } from './tensor.js';

export interface StorageModel {
  /** int32 values are exact below this magnitude (e.g. 2 ** 24 when stored as float32). */
  readonly int32ExactBelow?: number;
  /** Subnormal float32 values (|x| < 2^-126) read as zero. */
  readonly flushSubnormals?: boolean;
}

const MIN_NORMAL = 1.1754943508222875e-38;
let active: StorageModel = {};

export function setStorageModel(model: StorageModel | undefined): void {
  active = model ?? {};
}

export function describeStorageModel(): string | null {
  const parts: string[] = [];
  if (active.int32ExactBelow !== undefined) parts.push(`int32 exact below ${active.int32ExactBelow}`);
  if (active.flushSubnormals) parts.push('subnormals flushed to zero');
  return parts.length > 0 ? parts.join(', ') : null;
}

/** Map a host tensor's values (in place, idempotent) to what the backend stores. */
export function applyStorageModel(t: HostTensor, model: StorageModel = active): void {
  const limit = model.int32ExactBelow;
  if (t.dtype === 'int32' && limit !== undefined) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      if (Math.abs(v) > limit) t.data[i] = Math.sign(v) * limit;
    }
  }
  if (t.dtype === 'float32' && model.flushSubnormals) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      if (v !== 0 && Math.abs(v) < MIN_NORMAL) t.data[i] = v < 0 ? -0 : 0;
    }
  }
}

/** Whether an int32 result `actual` matches `expected` under the model. */
export function int32Matches(actual: number, expected: number, model: StorageModel = active): boolean {
  if (actual === expected) return true;
  const limit = model.int32ExactBelow;
  return limit !== undefined && Math.abs(expected) > limit && Math.fround(actual) === Math.fround(expected);
}
