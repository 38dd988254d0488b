/** read: asynchronous read back via tf.Tensor.data(); returns a fresh array of the ref's dtype. */
import type { DataArray } from '@flint/core/backend';
import type { Ref } from '../util.js';
import { assertReady } from '../engine.js';
import { ownedArray } from './readSync.js';

export async function read(x: Ref): Promise<DataArray> {
  assertReady();
  return ownedArray(await x.storage.data(), x.dtype);
}
