/** torch.optim.Adadelta. */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's algorithm:
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   v = rho * v + (1 - rho) * g^2
 *   delta = sqrt(u + eps) / sqrt(v + eps) * g
 *   u = rho * u + (1 - rho) * delta^2
 *   p -= lr * delta
 * State: `step`, `square_avg` (v), `acc_delta` (u).
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  protected override readonly stateKeys = ['step', 'square_avg', 'acc_delta'];
  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }

  protected override validateGroup(group: ParamGroup<AdadeltaOptions>): void {
    super.validateGroup(group);
    if (!(group.rho >= 0 && group.rho <= 1)) throw new Error(`Invalid rho value: ${group.rho}`);
    checkNonNegative(group.eps, 'epsilon value');
    checkNonNegative(group.weightDecay, 'weight_decay value');
  }

  protected updateGroup(group: ParamGroup<AdadeltaOptions>): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.square_avg = this.keepState(zerosLike(p));
        state.acc_delta = this.keepState(zerosLike(p));
      }
      state.step = (state.step as number) + 1;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const squareAvg = state.square_avg as Tensor;
      const accDelta = state.acc_delta as Tensor;
      squareAvg.mul_(rho).add_(g.mul(g), 1 - rho);
      const std = squareAvg.add(eps).sqrt();
      const delta = accDelta.add(eps).sqrt().div(std).mul(g);
      accDelta.mul_(rho).add_(delta.mul(delta), 1 - rho);
      p.add_(delta, -lr);
    }
  }
}
