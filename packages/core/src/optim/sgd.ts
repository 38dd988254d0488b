/** torch.optim.SGD: momentum, dampening, Nesterov, weight decay, maximize. */
import { zerosLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { canStepInPlace, markWritten } from './fused.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * PyTorch's algorithm:
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   if momentum: buf = (first step) ? g : momentum * buf + (1 - dampening) * g
 *                g = nesterov ? g + momentum * buf : buf
 *   p -= lr * g
 * State: `momentum_buffer` (only when momentum != 0).
 * A backend with the optional `sgdStep` kernel runs the whole step in one in-place pass (same
 * float32 rounding); otherwise the in-place tensor ops below do.
 */
export class SGD extends Optimizer<SGDOptions> {
  protected override readonly stateKeys = ['momentum_buffer'];
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(
      params,
      {
        lr: 1e-3,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
      },
      options,
    );
  }

  protected override validateGroup(group: ParamGroup<SGDOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.momentum, 'momentum value');
    checkNonNegative(group.weightDecay, 'weight_decay value');
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new Error('Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      if (this.fusedStep(p, p.grad, group)) continue;
      let d: Tensor = this.gradOf(p, maximize);
      if (weightDecay !== 0) d = d.add(p, weightDecay);
      if (momentum !== 0) {
        const state = this.stateOf(p);
        let buf = state.momentum_buffer as Tensor | undefined;
        if (buf === undefined) {
          buf = this.keepState(d.clone());
          state.momentum_buffer = buf;
        } else {
          buf.mul_(momentum).add_(d, 1 - dampening);
        }
        d = nesterov ? d.add(buf, momentum) : buf;
      }
      p.add_(d, -lr);
    }
  }

  /** The step by the backend's sgdStep kernel, when it has one and may write in place; false if not. */
  private fusedStep(p: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>): boolean {
    const kernel = p.backend.kernels.sgdStep;
    if (kernel === undefined) return false;
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const state = momentum !== 0 ? this.stateOf(p) : undefined;
    const existing = state?.momentum_buffer as Tensor | undefined;
    const written = existing !== undefined ? [p, existing] : [p];
    if (!canStepInPlace(written, [grad])) return false;
    let buf = existing;
    if (state !== undefined && buf === undefined) {
      buf = this.keepState(zerosLike(p));
      state.momentum_buffer = buf;
    }
    const options = { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep: existing === undefined };
    kernel.call(p.backend.kernels, p.ref, grad.ref, buf === undefined ? null : buf.ref, options);
    markWritten(buf === undefined ? [p] : [p, buf]);
    return true;
  }
}
