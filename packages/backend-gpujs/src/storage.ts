/** What a Flint tensor's storage is on this backend. */
import type { DType } from '@flint/core/backend';
import type { Texture } from 'gpu.js';

/**
 * Device data: a gpu.js texture on the GL engines; on webasm/cpu (no device memory) gpu.js's
 * pipeline output is a Float32Array, which is the storage there. int32 and bool are stored as
 * float32 values (exact for |x| < 2^24). Empty tensors have no device data (`data` is null).
 */
export interface GpuStorage {
  readonly id: number;
  data: Texture | Float32Array | null;
  /** Element count. */
  readonly size: number;
  /** Bytes the device holds for it (a GL texture's full RGBA float32 footprint). */
  readonly bytes: number;
  readonly dtype: DType;
  disposed: boolean;
  /** The compiled kernel that produced it: gpu.js textures read and free through their kernel. */
  readonly owner: KernelOwner | null;
}

/** Keeps an evicted kernel alive until the last texture it produced is disposed. */
export interface KernelOwner {
  live: number;
  release(): void;
}
