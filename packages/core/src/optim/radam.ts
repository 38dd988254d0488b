/** torch.optim.RAdam: Adam with the variance rectification of Liu et al. (2019). */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkBetas, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Ascend instead of descend (PyTorch >= 2.0's option; torch 1.13's RAdam has none). */
  maximize: boolean;
}

/**
 * PyTorch's algorithm (step t per parameter, a host number):
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
 *   rho_inf = 2 / (1 - beta2) - 1;   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
 *   rho_t > 5:  p -= lr * m / (1 - beta1^t) * rect * sqrt(1 - beta2^t) / (sqrt(v) + eps),
 *               rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
 *   otherwise:  p -= lr * m / (1 - beta1^t)   (an SGD-with-momentum step while the variance is unreliable)
 * State: `step`, `exp_avg`, `exp_avg_sq`.
 */
export class RAdam extends Optimizer<RAdamOptions> {
  protected override readonly stateKeys = ['step', 'exp_avg', 'exp_avg_sq'];

  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected override validateGroup(group: ParamGroup<RAdamOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.eps, 'epsilon value');
    checkBetas(group.betas);
    checkNonNegative(group.weightDecay, 'weight_decay value');
  }

  protected updateGroup(group: ParamGroup<RAdamOptions>): void {
    const { lr, eps, weightDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = this.keepState(zerosLike(p));
        state.exp_avg_sq = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(g), 1 - beta2);
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const denom = expAvgSq.sqrt().add(eps);
        p.add_(expAvg.div(denom), (-lr * rect * Math.sqrt(biasCorrection2)) / biasCorrection1);
      } else {
        p.add_(expAvg, -lr / biasCorrection1);
      }
    }
  }
}
