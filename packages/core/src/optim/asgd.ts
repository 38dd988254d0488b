/** torch.optim.ASGD: averaged stochastic gradient descent (Polyak–Juditsky averaging). */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface ASGDOptions {
  lr: number;
  /** Decay term. */
  lambd: number;
  /** Power for the eta update. */
  alpha: number;
  /** The step at which averaging starts. */
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's algorithm (step t per parameter; eta and mu are host numbers):
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   p *= 1 - lambd * eta;   p -= eta * g
 *   ax = (mu != 1) ? ax + mu * (p - ax) : p
 *   eta = lr / (1 + lambd * lr * t)^alpha;   mu = 1 / max(1, t - t0)
 * State: `step`, `eta` (starts at lr), `mu` (starts at 1), `ax` (the averaged parameter).
 */
export class ASGD extends Optimizer<ASGDOptions> {
  protected override readonly stateKeys = ['step', 'eta', 'mu', 'ax'];

  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super(params, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }, options);
  }

  protected override validateGroup(group: ParamGroup<ASGDOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.weightDecay, 'weight_decay value');
  }

  protected updateGroup(group: ParamGroup<ASGDOptions>): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.eta = lr;
        state.mu = 1;
        state.ax = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const eta = state.eta as number;
      const mu = state.mu as number;
      p.mul_(1 - lambd * eta).add_(g, -eta);
      const ax = state.ax as Tensor;
      if (mu !== 1) ax.add_(p.sub(ax), mu);
      else ax.copy_(p);
      state.eta = lr / (1 + lambd * lr * step) ** alpha;
      state.mu = 1 / Math.max(1, step - t0);
    }
  }
}
