/** torch.optim.Rprop: resilient backpropagation (per-element step sizes driven by gradient signs). */
import type { Tensor } from '../tensor/tensor.js';
import { fullLike, zerosLike } from '../tensor/create.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface RpropOptions {
  lr: number;
  /** [etaminus, etaplus]: step-size factors when the gradient's sign flips / stays (0 < etaminus < 1 < etaplus). */
  etas: [number, number];
  /** [min, max] step size. */
  stepSizes: [number, number];
  maximize: boolean;
}

/**
 * PyTorch's algorithm (no weight decay, as PyTorch):
 *   g = maximize ? -grad : grad;  s = sign(g * prev)
 *   stepSize *= (s > 0 ? etaplus : s < 0 ? etaminus : 1), clamped to stepSizes
 *   g = (s < 0 ? 0 : g);   p -= sign(g) * stepSize;   prev = g
 * State: `step`, `prev`, `step_size` (starts at lr).
 */
export class Rprop extends Optimizer<RpropOptions> {
  protected override readonly stateKeys = ['step', 'prev', 'step_size'];

  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super(params, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false }, options);
  }

  protected override validateGroup(group: ParamGroup<RpropOptions>): void {
    super.validateGroup(group);
    const [etaminus, etaplus] = group.etas;
    if (!(etaminus > 0 && etaminus < 1 && etaplus > 1))
      throw new Error(`Invalid eta values: ${etaminus}, ${etaplus} (expected 0 < etaminus < 1 < etaplus)`);
    if (!Array.isArray(group.stepSizes) || group.stepSizes.length !== 2)
      throw new Error(`Invalid stepSizes: expected [min, max], got ${String(group.stepSizes)}`);
  }

  protected updateGroup(group: ParamGroup<RpropOptions>): void {
    const { lr, maximize } = group;
    const [etaminus, etaplus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    for (const p of group.params) {
      if (p.grad === null) continue;
      let g: Tensor = this.gradOf(p, maximize);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.prev = this.keepState(zerosLike(p));
        state.step_size = this.keepState(fullLike(p, lr));
      }
      state.step = (state.step as number) + 1;
      const prev = state.prev as Tensor;
      const stepSize = state.step_size as Tensor;
      const s = g.mul(prev).sign();
      const flipped = s.lt(0);
      const factor = fullLike(p, 1).maskedFill(s.gt(0), etaplus).maskedFill(flipped, etaminus);
      stepSize.mul_(factor).clamp_(stepSizeMin, stepSizeMax);
      g = g.maskedFill(flipped, 0);
      p.sub_(g.sign().mul(stepSize));
      prev.copy_(g);
    }
  }
}
