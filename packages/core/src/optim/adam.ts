/** torch.optim.Adam and torch.optim.AdamW (decoupled weight decay). */
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { canStepInPlace, markWritten } from './fused.js';
import { Optimizer, checkBetas, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * PyTorch's algorithm (step t counted per parameter, a host number):
 *   g = maximize ? -grad : grad;  Adam: g += weightDecay * p;  AdamW: p *= 1 - lr * weightDecay
 *   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2
 *   amsgrad: vmax = max(vmax, v), used in place of v
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * State: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad).
 * A backend with the optional `adamStep` kernel runs the whole step in one in-place pass (same
 * float32 rounding); otherwise the tensor ops below do.
 */
export class Adam extends Optimizer<AdamOptions> {
  protected override readonly stateKeys = ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
  /** AdamW applies weight decay to the parameter, not to the gradient. */
  protected readonly decoupledWeightDecay: boolean = false;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(
      params,
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
      },
      options,
    );
  }

  protected override validateGroup(group: ParamGroup<AdamOptions>): void {
    super.validateGroup(group);
    checkNonNegative(group.eps, 'epsilon value');
    checkBetas(group.betas);
    checkNonNegative(group.weightDecay, 'weight_decay value');
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (p.grad === null) continue;
      const state = this.stateOf(p);
      const fused = p.backend.kernels.adamStep;
      const fresh = state.step === undefined;
      const existing = fresh ? [] : [state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq];
      const useKernel =
        fused !== undefined && canStepInPlace([p, ...(existing.filter((t) => t !== undefined) as Tensor[])], [p.grad]);
      let g: Tensor = useKernel ? p.grad : this.gradOf(p, maximize);
      if (fresh) {
        state.step = 0;
        state.exp_avg = this.keepState(zerosLike(p));
        state.exp_avg_sq = this.keepState(zerosLike(p));
        if (amsgrad) state.max_exp_avg_sq = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (amsgrad && state.max_exp_avg_sq === undefined) state.max_exp_avg_sq = this.keepState(zerosLike(p));
      if (useKernel) {
        const written = [p, state.exp_avg, state.exp_avg_sq, ...(amsgrad ? [state.max_exp_avg_sq] : [])] as Tensor[];
        const decoupledWeightDecay = this.decoupledWeightDecay;
        const options = { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step };
        const [param, expAvg, expAvgSq, maxExpAvgSq] = written.map((t) => t.ref);
        fused.call(p.backend.kernels, param!, g.ref, expAvg!, expAvgSq!, maxExpAvgSq ?? null, options);
        markWritten(written);
        continue;
      }
      if (weightDecay !== 0) {
        if (this.decoupledWeightDecay) p.mul_(1 - lr * weightDecay);
        else g = g.add(p, weightDecay);
      }
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expAvgSq.mul_(beta2).add_(g.mul(g), 1 - beta2);
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
      const stepSize = lr / biasCorrection1;
      let second = expAvgSq;
      if (amsgrad) {
        const maxSq = state.max_exp_avg_sq as Tensor;
        maxSq._assign(maxSq.maximum(expAvgSq), 'maximum_');
        second = maxSq;
      }
      const denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
      p.add_(expAvg.div(denom), -stepSize);
    }
  }
}

export class AdamW extends Adam {
  protected override readonly decoupledWeightDecay: boolean = true;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...options });
  }
}
