/**
 * Differential cases for the in-place optimizer steps (sgdStep, adamStep): each runs on copies of
 * its inputs (the kernels write their operands) for two steps and returns the copies, so both
 * backends' parameters and state are compared.
 */
import type { Shape } from '@flint/core/backend';
import { randn, randu, Rng } from '../reference/index.js';
import { type CaseList, f32 } from './types.js';

export function optimCases(list: CaseList): void {
  const shape: Shape = [64, 16];
  const rng = new Rng(7400);
  const param = randn(rng, shape);
  const grad = randn(rng, shape);
  const buf = randn(rng, shape, 0.1);
  const sq = randu(rng, shape, 0, 0.1);
  list.add(
    'sgdStep',
    'sgdStep [64,16] momentum 0.9, nesterov, weight decay, two steps',
    [param, grad, buf],
    (k, [p, g, b]) => {
      const [pc, bc] = [k.copy(p!), k.copy(b!)];
      const refs = [
        { ...p!, storage: pc },
        { ...b!, storage: bc },
      ] as const;
      const o = { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: true, maximize: false };
      k.sgdStep!(refs[0], g!, refs[1], { ...o, firstStep: true });
      k.sgdStep!(refs[0], g!, refs[1], { ...o, firstStep: false });
      return [pc, bc];
    },
    [f32(shape), f32(shape)],
  );
  list.add(
    'adamStep',
    'adamStep [64,16] AdamW amsgrad, steps 3 and 4',
    [param, grad, buf, sq, sq],
    (k, [p, g, m, v, vmax]) => {
      const [pc, mc, vc, vmaxc] = [p!, m!, v!, vmax!].map((r) => ({ ...r, storage: k.copy(r) }));
      const o = {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 1e-2,
        decoupledWeightDecay: true,
        maximize: false,
      };
      k.adamStep!(pc!, g!, mc!, vc!, vmaxc!, { ...o, step: 3 });
      k.adamStep!(pc!, g!, mc!, vc!, vmaxc!, { ...o, step: 4 });
      return [pc!.storage, mc!.storage, vc!.storage, vmaxc!.storage];
    },
    [f32(shape), f32(shape), f32(shape), f32(shape)],
  );
}
