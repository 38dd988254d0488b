/** torch.optim.NAdam: Adam with Nesterov momentum and a momentum-decay schedule. */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkBetas, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's algorithm (t counted per parameter):
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentumDecay)),  mu_{t+1} likewise
 *   muProduct *= mu_t   (a host number)
 *   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
 *   denom = sqrt(v / (1 - beta2^t)) + eps
 *   p -= lr * (1 - mu_t) / (1 - muProduct) * g / denom
 *   p -= lr * mu_{t+1} / (1 - muProduct * mu_{t+1}) * m / denom
 * State: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  protected override readonly stateKeys = ['step', 'mu_product', 'exp_avg', 'exp_avg_sq'];
  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(
      params,
      {
        lr: 2e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        momentumDecay: 4e-3,
        maximize: false,
      },
      options,
    );
  }

  protected override validateGroup(group: ParamGroup<NAdamOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.eps, 'epsilon value');
    checkBetas(group.betas);
    checkNonNegative(group.weightDecay, 'weight_decay value');
    checkNonNegative(group.momentumDecay, 'momentum_decay value');
  }

  protected updateGroup(group: ParamGroup<NAdamOptions>): void {
    const { lr, eps, weightDecay, momentumDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.mu_product = 1;
        state.exp_avg = this.keepState(zerosLike(p));
        state.exp_avg_sq = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      const biasCorrection2 = 1 - beta2 ** step;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = (state.mu_product as number) * mu;
      state.mu_product = muProduct;
      const muProductNext = muProduct * muNext;
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(g), 1 - beta2);
      const denom = expAvgSq.div(biasCorrection2).sqrt().add(eps);
      p.add_(g.div(denom), (-lr * (1 - mu)) / (1 - muProduct));
      p.add_(expAvg.div(denom), (-lr * muNext) / (1 - muProductNext));
    }
  }
}
