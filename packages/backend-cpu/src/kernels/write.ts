import type { DataArray, DType, Shape } from '@flint/core/backend';
import { cast } from '../impl/layout.js';
import { dtypeOf } from '../impl/util.js';
import { CpuStorage } from '../storage.js';

/** Upload: copies, because the caller may reuse its array (converted if its type does not match dtype). */
export function write(data: DataArray, shape: Shape, dtype: DType): CpuStorage {
  void shape;
  const owned = dtypeOf(data) === dtype ? data.slice() : cast(data, dtype);
  return new CpuStorage(owned, dtype);
}
