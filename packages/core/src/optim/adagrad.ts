/** torch.optim.Adagrad: learning-rate decay, weight decay, initial accumulator value. */
import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../tensor/create.js';
import { Optimizer, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * PyTorch's algorithm:
 *   g = maximize ? -grad : grad;  g += weightDecay * p
 *   clr = lr / (1 + (t - 1) * lrDecay)
 *   sum += g^2;  p -= clr * g / (sqrt(sum) + eps)
 * State: `step`, `sum` (created with the parameter, filled with initialAccumulatorValue, as PyTorch).
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  protected override readonly stateKeys = ['step', 'sum'];
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(
      params,
      {
        lr: 1e-2,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
      },
      options,
    );
  }

  override addParamGroup(group: Parameters<Optimizer<AdagradOptions>['addParamGroup']>[0]): void {
    super.addParamGroup(group);
    this.initGroupState(this.paramGroups[this.paramGroups.length - 1]!);
  }

  private initGroupState(group: ParamGroup<AdagradOptions>): void {
    for (const p of group.params) {
      if (this.state.has(p)) continue;
      this.state.set(p, { step: 0, sum: this.keepState(fullLike(p, group.initialAccumulatorValue)) });
    }
  }

  protected override validateGroup(group: ParamGroup<AdagradOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.lrDecay, 'lr_decay value');
    checkNonNegative(group.weightDecay, 'weight_decay value');
    checkNonNegative(group.initialAccumulatorValue, 'initial_accumulator_value value');
    checkNonNegative(group.eps, 'epsilon value');
  }

  protected updateGroup(group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.sum === undefined) {
        state.step = 0;
        state.sum = this.keepState(fullLike(p, group.initialAccumulatorValue));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (weightDecay !== 0) g = g.add(p, weightDecay);
      const clr = lr / (1 + (step - 1) * lrDecay);
      const sum = state.sum as Tensor;
      sum.add_(g.mul(g));
      p.add_(g.div(sum.sqrt().add(eps)), -clr);
    }
  }
}
