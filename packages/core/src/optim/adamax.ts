/** torch.optim.Adamax: Adam with the infinity norm in place of the second moment. */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkBetas, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's algorithm (step t per parameter, a host number):
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   m = beta1 m + (1 - beta1) g;   u = max(beta2 u, |g| + eps)
 *   p -= lr / (1 - beta1^t) * m / u
 * State: `step`, `exp_avg`, `exp_inf`.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  protected override readonly stateKeys = ['step', 'exp_avg', 'exp_inf'];

  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected override validateGroup(group: ParamGroup<AdamaxOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.eps, 'epsilon value');
    checkBetas(group.betas);
    checkNonNegative(group.weightDecay, 'weight_decay value');
  }

  protected updateGroup(group: ParamGroup<AdamaxOptions>): void {
    const { lr, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = this.keepState(zerosLike(p));
        state.exp_inf = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const expAvg = state.exp_avg as Tensor;
      const expInf = state.exp_inf as Tensor;
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expInf._assign(expInf.mul(beta2).maximum(g.abs().add(eps)), 'maximum_');
      p.add_(expAvg.div(expInf), -lr / (1 - beta1 ** step));
    }
  }
}
