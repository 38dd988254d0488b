/** dispose: free the tf.Tensor (tfjs ref-counts data shared by reshapes and clones). */
import type { TfTensor } from '../tf.js';

export function dispose(storage: TfTensor): void {
  if (!storage.isDisposed) storage.dispose();
}
