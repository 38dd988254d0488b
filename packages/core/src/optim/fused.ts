/**
 * When an optimizer may hand a step to the backend's fused in-place kernel (sgdStep, adamStep):
 * the kernels write the parameter and its state where they lie, so core checks here that doing so
 * is what the composite's in-place ops would have done, and otherwise runs the composite.
 */
import { isGradEnabled, isInferenceModeEnabled } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * True when `written` and `read` are all float32 on one backend, grad mode is off (steps
 * run under noGrad), and each written tensor may be updated in place: not a copy-on-write view
 * sharing its storage (the composite would detach it), not an inference tensor outside
 * inference mode (the composite would throw). False means: use the composite.
 */
export function canStepInPlace(written: readonly Tensor[], read: readonly Tensor[]): boolean {
  if (isGradEnabled()) return false;
  const backend = written[0]?.backend;
  for (const t of [...written, ...read]) {
    if (t.dtype !== 'float32' || t.backend !== backend || t.disposed) return false;
  }
  for (const t of written) {
    if (t._copyOnWrite && t._storage.refCount > 1) return false;
    if (t._inference && !isInferenceModeEnabled()) return false;
  }
  return true;
}

/** After a fused kernel wrote `tensors`: bump their versions as in-place ops do (autograd checks them). */
export function markWritten(tensors: readonly Tensor[]): void {
  for (const t of tensors) t._storage.version += 1;
}
