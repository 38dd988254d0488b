/** torch.optim.SGD: momentum, dampening, Nesterov, weight decay, maximize. */
import type { Tensor } from '../tensor/tensor.js';
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
 */
export class SGD extends Optimizer<SGDOptions> {
  protected override readonly stateKeys = ['momentum_buffer'];
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
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
}
