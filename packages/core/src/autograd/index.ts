/**
 * The `autograd` namespace (torch.autograd): grad, backward, custom Functions, anomaly detection,
 * gradcheck, and the grad modes.
 */
import type { Tensor } from '../tensor/tensor.js';
import { computeGrad, runBackward, type BackwardOptions, type GradOptions } from './engine.js';

export type { BackwardOptions, GradOptions, GradHook, RemovableHandle, Node } from './engine.js';
export { AutogradFunction as Function, FunctionCtx, type FunctionClass } from './function.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, type AnomalyOptions } from './anomaly.js';
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradgradcheckOptions } from './gradcheck.js';
export {
  noGrad,
  enableGrad,
  isGradEnabled,
  setGradEnabled,
  inferenceMode,
  isInferenceModeEnabled,
} from './grad-mode.js';

/**
 * torch.autograd.grad: the gradients of `outputs` with respect to `inputs`, one per input, without
 * touching any `.grad`. gradOutputs are the vectors of the vector-Jacobian products (needed for
 * non-scalar outputs); createGraph records the computation so the results can be differentiated
 * again; retainGraph (default: createGraph) keeps the graph for another pass; allowUnused returns
 * null for an input the outputs do not depend on, materializeGrads zeros.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options?: GradOptions & { allowUnused?: false },
): Tensor[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions,
): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  return computeGrad(outputs, inputs, options);
}

/** Options of autograd.backward: BackwardOptions plus the gradients of the tensors. */
export interface AutogradBackwardOptions extends BackwardOptions {
  /** One per tensor (null: ones, for a scalar). */
  gradTensors?: Tensor | null | readonly (Tensor | null)[];
}

/** torch.autograd.backward: accumulate the gradients of several tensors into the leaves' `.grad`. */
export function backward(tensors: Tensor | readonly Tensor[], options: AutogradBackwardOptions = {}): void {
  const { gradTensors, ...rest } = options;
  runBackward(tensors, gradTensors, rest);
}
