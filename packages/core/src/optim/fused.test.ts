/**
 * The fused optimizer kernels (cpu's sgdStep / adamStep) against core's composite on the same
 * backend: every trajectory must agree bit for bit, the kernel must really run, in-place writes
 * must bump versions as the composite's in-place ops do, and memory must stay flat per step.
 */
import '@flint/backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import type { Kernels } from '../backend/kernels.js';
import { getBackend, manualSeed, memory, randn, type Tensor, tidy } from '../index.js';
import { Adam, AdamW, type AdamOptions, SGD, type SGDOptions } from './index.js';

/** What these tests use of an optimizer. */
type Stepper = { zeroGrad(): void; step(): unknown };

const kernels = getBackend('cpu').kernels as Kernels<unknown>;

/** Runs `body` with cpu's `name` kernel hidden, so the optimizer takes core's composite. */
function withoutKernel<T>(name: 'sgdStep' | 'adamStep', body: () => T): T {
  const saved = kernels[name];
  delete (kernels as Partial<Kernels<unknown>>)[name];
  try {
    return body();
  } finally {
    (kernels as Partial<Kernels<unknown>>)[name] = saved as never;
  }
}

/** Five steps on a fresh [3,5] and [7] parameter pair (seeded), returning every value after each step. */
function trajectory(make: (params: Tensor[]) => Stepper): number[][] {
  manualSeed(11);
  const params = [randn([3, 5]).requiresGrad_(), randn([7]).requiresGrad_()];
  const optimizer = make(params);
  const out: number[][] = [];
  for (let step = 0; step < 5; step++) {
    optimizer.zeroGrad();
    // A loss whose gradient changes with the parameters, so every state term matters.
    params
      .map((p) => p.mul(p).mul(p).sum().add(p.sin().sum()))
      .reduce((a, b) => a.add(b))
      .backward();
    optimizer.step();
    for (const p of params) out.push(Array.from(p.dataSync()));
  }
  return out;
}

function compare(name: 'sgdStep' | 'adamStep', make: (params: Tensor[]) => Stepper): void {
  const spy = vi.spyOn(kernels as Required<Kernels<unknown>>, name);
  const fused = trajectory(make);
  expect(spy).toHaveBeenCalled();
  spy.mockRestore();
  const composite = withoutKernel(name, () => trajectory(make));
  expect(fused).toEqual(composite);
}

const sgdVariants: Partial<SGDOptions>[] = [
  { lr: 0.05 },
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true },
  { lr: 0.01, weightDecay: 0.1 },
];
const adamVariants: Partial<AdamOptions>[] = [
  { lr: 0.01 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, amsgrad: true, maximize: true },
  { lr: 0.1, betas: [0.5, 0.9], eps: 1e-3, weightDecay: 0.05, amsgrad: true },
];

describe('fused optimizer kernels match the composite bit for bit (cpu)', () => {
  for (const o of sgdVariants) it(`SGD ${JSON.stringify(o)}`, () => compare('sgdStep', (p) => new SGD(p, o)));
  for (const o of adamVariants) {
    it(`Adam ${JSON.stringify(o)}`, () => compare('adamStep', (p) => new Adam(p, o)));
    it(`AdamW ${JSON.stringify(o)}`, () => compare('adamStep', (p) => new AdamW(p, o)));
  }
});

describe('fused optimizer kernels: in-place semantics', () => {
  it('bump the parameter version: backward through a graph saved before the step fails as in PyTorch', () => {
    for (const make of [(p: Tensor) => new SGD([p], { lr: 0.1, momentum: 0.9 }), (p: Tensor) => new Adam([p])]) {
      const p = randn([4]).requiresGrad_();
      p.mul(p).sum().backward();
      const pending = p.mul(p).sum();
      make(p).step();
      expect(() => pending.backward()).toThrow(/modified by an inplace operation/);
    }
  });

  it('memory stays flat per step with the kernels', () => {
    const params = [randn([16, 8]).requiresGrad_(), randn([8]).requiresGrad_()];
    for (const optimizer of [
      new SGD(params, { lr: 0.01, momentum: 0.9 }),
      new Adam(params, { amsgrad: true }),
    ] as Stepper[]) {
      const run = () => {
        optimizer.zeroGrad();
        tidy(() => params[0]!.sum().add(params[1]!.square().sum()).backward());
        optimizer.step();
      };
      run(); // creates the state
      const before = memory().handles;
      for (let i = 0; i < 5; i++) run();
      expect(memory().handles).toBe(before);
    }
  });
});
