/** permute: out.shape[i] = x.shape[perm[i]] (native Transpose; bool moved as int32). */
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, restoreDtype, run, view, type Ref } from '../util.js';

export function permute(x: Ref, perm: readonly number[]): TfTensor {
  return run([x], () => restoreDtype(tf.transpose(asLayoutDtype(view(x)), [...perm]), x.dtype));
}
