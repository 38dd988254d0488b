import type { DataArray, TensorRef } from '@flint/core/backend';
import type { CpuStorage } from '../storage.js';
import { readSync } from './readSync.js';

export async function read(x: TensorRef<CpuStorage>): Promise<DataArray> {
  return readSync(x);
}
