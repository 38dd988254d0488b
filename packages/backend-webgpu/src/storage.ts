/** What a Flint tensor's storage is on this backend. */
import type { DType } from '@flint/core/backend';

/**
 * Device data: one pooled GPUBuffer holding one 32-bit word per element (float32 as f32, int32 as
 * i32, bool as u32 0/1), or no buffer for an empty tensor. The buffer may be larger than the
 * tensor (pool size classes); shaders never use arrayLength().
 */
export interface WebGpuStorage {
  readonly id: number;
  buffer: GPUBuffer | null;
  /** Element count. */
  readonly size: number;
  /** Bytes of the buffer (its pool size class). */
  readonly bytes: number;
  readonly dtype: DType;
  disposed: boolean;
  /** The command batch that last referenced the buffer (a disposed buffer is reused only after it is submitted). */
  lastBatch: number;
}
