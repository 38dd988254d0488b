/** torch.optim.RMSprop: smoothing constant alpha, momentum, centered variant. */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * PyTorch's algorithm:
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   v = alpha * v + (1 - alpha) * g^2
 *   centered: gAvg = alpha * gAvg + (1 - alpha) * g;  avg = sqrt(v - gAvg^2) + eps,  else avg = sqrt(v) + eps
 *   momentum > 0: buf = momentum * buf + g / avg;  p -= lr * buf,  else p -= lr * g / avg
 * State: `step`, `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg` (centered).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  protected override readonly stateKeys = ['step', 'square_avg', 'momentum_buffer', 'grad_avg'];
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(
      params,
      {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      },
      options,
    );
  }

  protected override validateGroup(group: ParamGroup<RMSpropOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.eps, 'epsilon value');
    checkNonNegative(group.momentum, 'momentum value');
    checkNonNegative(group.weightDecay, 'weight_decay value');
    checkNonNegative(group.alpha, 'alpha value');
  }

  protected updateGroup(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.square_avg = this.keepState(zerosLike(p));
      }
      if (momentum > 0 && state.momentum_buffer === undefined) state.momentum_buffer = this.keepState(zerosLike(p));
      if (centered && state.grad_avg === undefined) state.grad_avg = this.keepState(zerosLike(p));
      state.step = (state.step as number) + 1;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const squareAvg = state.square_avg as Tensor;
      squareAvg.mul_(alpha).add_(g.mul(g), 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const gradAvg = state.grad_avg as Tensor;
        gradAvg.mul_(alpha).add_(g, 1 - alpha);
        avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add(eps);
      } else {
        avg = squareAvg.sqrt().add(eps);
      }
      if (momentum > 0) {
        const buf = state.momentum_buffer as Tensor;
        buf.mul_(momentum).add_(g.div(avg));
        p.add_(buf, -lr);
      } else {
        p.add_(g.div(avg), -lr);
      }
    }
  }
}
