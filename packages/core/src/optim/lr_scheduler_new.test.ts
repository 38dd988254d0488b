import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zeros } from '../index.js';
import {
  Adam,
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  type Optimizer,
  PolynomialLR,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
} from './index.js';

interface SchedCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  lrs: number[];
  lr: number[][];
  lastLr: number[][];
  momentum?: number[][];
  epochs?: number[];
}
// Golden sequences from torch.optim.lr_scheduler (fixtures/generate_schedulers_new.py).
const cases = (
  JSON.parse(readFileSync(new URL('./fixtures/schedulers_new.json', import.meta.url), 'utf8')) as { cases: SchedCase[] }
).cases;

type Opt = Optimizer<{ lr: number }>;
type Sched = { step(epoch?: number): void; getLastLr(): number[] };
const MAKERS: Record<string, (opt: Opt) => Sched> = {
  'OneCycleLR(maxLr=[1, 0.5], totalSteps=10)': (o) => new OneCycleLR(o, { maxLr: [1.0, 0.5], totalSteps: 10 }),
  'OneCycleLR(maxLr=0.1, epochs=3, stepsPerEpoch=4, pctStart=0.25, linear, threePhase, divFactor=10, finalDivFactor=100) Adam':
    (o) =>
      new OneCycleLR(o, {
        maxLr: 0.1,
        epochs: 3,
        stepsPerEpoch: 4,
        pctStart: 0.25,
        annealStrategy: 'linear',
        threePhase: true,
        divFactor: 10,
        finalDivFactor: 100,
        baseMomentum: 0.8,
        maxMomentum: 0.9,
      }),
  'OneCycleLR(maxLr=0.2, totalSteps=7, cycleMomentum=false)': (o) =>
    new OneCycleLR(o, { maxLr: 0.2, totalSteps: 7, cycleMomentum: false }),
  'CyclicLR(baseLr=0.01, maxLr=0.1, stepSizeUp=3)': (o) =>
    new CyclicLR(o, { baseLr: 0.01, maxLr: [0.1, 0.2], stepSizeUp: 3 }),
  'CyclicLR(triangular2, stepSizeUp=2, stepSizeDown=3)': (o) =>
    new CyclicLR(o, {
      baseLr: 0.001,
      maxLr: 0.01,
      stepSizeUp: 2,
      stepSizeDown: 3,
      mode: 'triangular2',
      baseMomentum: 0.7,
      maxMomentum: 0.95,
    }),
  'CyclicLR(exp_range, gamma=0.9, cycleMomentum=false)': (o) =>
    new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9, cycleMomentum: false }),
  'CosineAnnealingWarmRestarts(t0=3, tMult=2, etaMin=0.001)': (o) =>
    new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2, etaMin: 0.001 }),
  'CosineAnnealingWarmRestarts(t0=4)': (o) => new CosineAnnealingWarmRestarts(o, 4),
  'CosineAnnealingWarmRestarts(t0=2, tMult=3) fractional epochs': (o) => new CosineAnnealingWarmRestarts(o, 2, 3, 0.01),
  'CosineAnnealingWarmRestarts(t0=3) fractional epochs': (o) => new CosineAnnealingWarmRestarts(o, { t0: 3 }),
  'SequentialLR([LinearLR(0.1, 1, 3), ExponentialLR(0.9)], [3])': (o) =>
    new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new ExponentialLR(o, 0.9)], [3]),
  'SequentialLR([ConstantLR(0.5, 2), StepLR(2, 0.5), CosineAnnealingLR(4)], [2, 6])': (o) =>
    new SequentialLR(o, {
      schedulers: [new ConstantLR(o, 0.5, 2), new StepLR(o, { stepSize: 2, gamma: 0.5 }), new CosineAnnealingLR(o, 4)],
      milestones: [2, 6],
    }),
  'ChainedScheduler([ConstantLR(0.1, 2), ExponentialLR(0.9)])': (o) =>
    new ChainedScheduler([new ConstantLR(o, { factor: 0.1, totalIters: 2 }), new ExponentialLR(o, { gamma: 0.9 })]),
  'PolynomialLR(totalIters=4, power=2)': (o) => new PolynomialLR(o, { totalIters: 4, power: 2 }),
  'PolynomialLR()': (o) => new PolynomialLR(o),
  'ConstantLR(factor=0.5, totalIters=3)': (o) => new ConstantLR(o, 0.5, 3),
  'MultiplicativeLR(0.9, 0.5 per group)': (o) => new MultiplicativeLR(o, [() => 0.9, () => 0.5]),
};

function optimizerFor(kind: 'SGD' | 'Adam', lrs: number[]): Opt {
  const groups = lrs.map((lr) => ({ params: [zeros(1, { requiresGrad: true })], lr }));
  return (kind === 'Adam' ? new Adam(groups, { lr: lrs[0] }) : new SGD(groups, { lr: lrs[0], momentum: 0.9 })) as Opt;
}

function momenta(opt: Opt): number[] {
  return opt.paramGroups.map((g) => (g.betas !== undefined ? (g.betas as number[])[0]! : (g.momentum as number)));
}

function expectValues(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!), `${what}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(
      1e-12 + 1e-12 * Math.abs(expected[i]!),
    );
  });
}

describe('new lr schedulers match PyTorch', () => {
  it('has a maker for every golden case', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(MAKERS).sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      const opt = optimizerFor(c.optimizer, c.lrs);
      const sched = MAKERS[c.name]!(opt);
      const lrs = () => opt.paramGroups.map((g) => g.lr);
      expectValues(lrs(), c.lr[0]!, 'after construction');
      expectValues(sched.getLastLr(), c.lastLr[0]!, 'getLastLr after construction');
      if (c.momentum) expectValues(momenta(opt), c.momentum[0]!, 'momentum after construction');
      for (let i = 0; i < c.lr.length - 1; i++) {
        opt.step();
        sched.step(c.epochs?.[i]);
        expectValues(lrs(), c.lr[i + 1]!, `after step ${i + 1}`);
        expectValues(sched.getLastLr(), c.lastLr[i + 1]!, `getLastLr after step ${i + 1}`);
        if (c.momentum) expectValues(momenta(opt), c.momentum[i + 1]!, `momentum after step ${i + 1}`);
      }
    });
  }
});

describe('scheduler options and state', () => {
  const sgd = (lr = 0.1) => new SGD([zeros(1, { requiresGrad: true })], { lr, momentum: 0.9 });

  it('every scheduler takes keyword options as well as positional ones, with the same result', () => {
    const pairs: [string, (o: Opt) => Sched, (o: Opt) => Sched][] = [
      ['StepLR', (o) => new StepLR(o, 3, 0.5), (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
      [
        'MultiStepLR',
        (o) => new MultiStepLR(o, [2, 4], 0.5),
        (o) => new MultiStepLR(o, { milestones: [2, 4], gamma: 0.5 }),
      ],
      ['ExponentialLR', (o) => new ExponentialLR(o, 0.8), (o) => new ExponentialLR(o, { gamma: 0.8 })],
      [
        'CosineAnnealingLR',
        (o) => new CosineAnnealingLR(o, 5, 0.01),
        (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 }),
      ],
      [
        'LambdaLR',
        (o) => new LambdaLR(o, (e) => 1 / (e + 1)),
        (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (e + 1) }),
      ],
      [
        'MultiplicativeLR',
        (o) => new MultiplicativeLR(o, () => 0.7),
        (o) => new MultiplicativeLR(o, { lrLambda: () => 0.7 }),
      ],
      ['LinearLR', (o) => new LinearLR(o, 0.2, 1, 4), (o) => new LinearLR(o, { startFactor: 0.2, totalIters: 4 })],
      ['ConstantLR', (o) => new ConstantLR(o, 0.25, 2), (o) => new ConstantLR(o, { factor: 0.25, totalIters: 2 })],
      ['PolynomialLR', (o) => new PolynomialLR(o, 4, 3), (o) => new PolynomialLR(o, { totalIters: 4, power: 3 })],
      [
        'CosineAnnealingWarmRestarts',
        (o) => new CosineAnnealingWarmRestarts(o, 2, 2, 0.001),
        (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.001 }),
      ],
      ['OneCycleLR', (o) => new OneCycleLR(o, 0.5, 8), (o) => new OneCycleLR(o, { maxLr: 0.5, totalSteps: 8 })],
      [
        'OneCycleLR three-phase',
        (o) => new OneCycleLR(o, 0.5, null, 2, 4, 0.25, 'linear', true, 0.8, 0.9, 10, 100, true),
        (o) =>
          new OneCycleLR(o, {
            maxLr: 0.5,
            epochs: 2,
            stepsPerEpoch: 4,
            pctStart: 0.25,
            annealStrategy: 'linear',
            baseMomentum: 0.8,
            maxMomentum: 0.9,
            divFactor: 10,
            finalDivFactor: 100,
            threePhase: true,
          }),
      ],
      [
        'CyclicLR',
        (o) => new CyclicLR(o, 0.01, 0.1, 2, 3, 'triangular2', 1, null, 'cycle', true, 0.7, 0.95),
        (o) =>
          new CyclicLR(o, {
            baseLr: 0.01,
            maxLr: 0.1,
            stepSizeUp: 2,
            stepSizeDown: 3,
            mode: 'triangular2',
            baseMomentum: 0.7,
            maxMomentum: 0.95,
          }),
      ],
      [
        'ReduceLROnPlateau',
        (o) => new ReduceLROnPlateau(o, 'max', 0.5, 0) as unknown as Sched,
        (o) => new ReduceLROnPlateau(o, { mode: 'max', factor: 0.5, patience: 0 }) as unknown as Sched,
      ],
    ];
    for (const [name, positional, keyword] of pairs) {
      const a = sgd();
      const b = sgd();
      const sa = positional(a);
      const sb = keyword(b);
      const seen = new Set<number>();
      for (let i = 0; i < 7; i++) {
        sa.step(name === 'ReduceLROnPlateau' ? 1 : undefined);
        sb.step(name === 'ReduceLROnPlateau' ? 1 : undefined);
        expect(b.paramGroups[0]!.lr, `${name} step ${i + 1}`).toBe(a.paramGroups[0]!.lr);
        expect(b.paramGroups[0]!.momentum, `${name} step ${i + 1}`).toBe(a.paramGroups[0]!.momentum);
        seen.add(a.paramGroups[0]!.lr);
      }
      expect(seen.size, `${name}: the options took effect`).toBeGreaterThan(1);
    }
    expect(() => new StepLR(sgd(), { step_size: 3 } as never)).toThrow(
      "StepLR: unknown option 'step_size' (options: stepSize, gamma, lastEpoch",
    );
    expect(() => new StepLR(sgd(), { gamma: 0.5 } as never)).toThrow("StepLR: missing required option 'stepSize'");
    expect(() => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never)).toThrow("unknown option 'min_lr'");
  });

  it('validation messages', () => {
    expect(() => new OneCycleLR(sgd(), { maxLr: 0.1 })).toThrow('either totalSteps OR (epochs AND stepsPerEpoch)');
    const o = sgd();
    const s = new OneCycleLR(o, { maxLr: 0.1, totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow('tried to step 4 times. The specified number of total steps is 2');
    expect(() => new CosineAnnealingWarmRestarts(sgd(), 0)).toThrow('Expected positive integer T_0, but got 0');
    expect(() => new CosineAnnealingWarmRestarts(sgd(), { t0: 2, tMult: 0.5 })).toThrow('Expected integer T_mult >= 1');
    const noMomentum = new (class extends SGD {})([zeros(1, { requiresGrad: true })]);
    expect(() => new CyclicLR(noMomentum, { baseLr: 0.1, maxLr: 1 })).not.toThrow(); // SGD has momentum (0)
    expect(() => new SequentialLR(o, [new ExponentialLR(o, 0.9)], [2])).toThrow(
      'expects number of schedulers provided to be one more than the number of milestone points',
    );
    expect(() => new SequentialLR(o, [new ExponentialLR(sgd(), 0.9), new ExponentialLR(o, 0.9)], [2])).toThrow(
      'schedulers at index 0 to be different than the optimizer passed in',
    );
    expect(() => new ConstantLR(o, 2)).toThrow('Constant multiplicative factor expected to be between 0 and 1.');
  });

  it('a second scheduler keeps the initialLr the first one recorded (PyTorch setdefault)', () => {
    const o = sgd(1);
    new LinearLR(o, 0.5, 1, 2);
    expect(o.paramGroups[0]!.lr).toBe(0.5);
    const e = new ExponentialLR(o, 0.9);
    expect(e.baseLrs).toEqual([1]);
  });

  it('stateDict / loadStateDict round trips continue every schedule exactly; mismatches name the key', () => {
    const makers: [
      string,
      (o: Opt) => Sched & { stateDict(): Record<string, unknown>; loadStateDict(s: Record<string, unknown>): void },
    ][] = [
      ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 1, totalSteps: 20, threePhase: true })],
      ['CyclicLR', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'triangular2' })],
      ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, 2, 2)],
      ['SequentialLR', (o) => new SequentialLR(o, [new LinearLR(o, 0.1, 1, 3), new CosineAnnealingLR(o, 10)], [3])],
      ['ChainedScheduler', (o) => new ChainedScheduler([new ConstantLR(o, 0.5, 3), new ExponentialLR(o, 0.9)])],
      ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1 }) as never],
    ];
    for (const [name, make] of makers) {
      const a = sgd();
      const sa = make(a);
      const metric = (i: number) => (name === 'ReduceLROnPlateau' ? 5 - (i % 3) : undefined);
      for (let i = 0; i < 5; i++) sa.step(metric(i));
      const saved = JSON.parse(JSON.stringify(sa.stateDict())) as Record<string, unknown>;
      const b = sgd();
      const sb = make(b);
      sb.loadStateDict(saved);
      // The optimizer's own state dict carries the group options (lr, momentum, initialLr, ...).
      b.loadStateDict(a.stateDict());
      for (let i = 5; i < 12; i++) {
        sa.step(metric(i));
        sb.step(metric(i));
        expect(b.paramGroups[0]!.lr, `${name} step ${i}`).toBe(a.paramGroups[0]!.lr);
        expect(b.paramGroups[0]!.momentum, `${name} step ${i}`).toBe(a.paramGroups[0]!.momentum);
        expect(sb.getLastLr()).toEqual(sa.getLastLr());
      }
    }
    const s = new StepLR(sgd(), 2);
    expect(() => s.loadStateDict({ ...s.stateDict(), bogus: 1 })).toThrow(
      "StepLR.loadStateDict: unexpected key 'bogus'",
    );
    const { lastEpoch: _dropped, ...partial } = s.stateDict();
    expect(() => s.loadStateDict(partial)).toThrow("StepLR.loadStateDict: missing key 'lastEpoch'");
    expect(() => s.loadStateDict({ ...s.stateDict(), lastEpoch: 'three' })).toThrow(
      "StepLR.loadStateDict: key 'lastEpoch' is string, expected number",
    );
    const o = sgd();
    const seq = new SequentialLR(o, [new LinearLR(o, 0.1, 1, 3), new ExponentialLR(o, 0.9)], [3]);
    const bad = seq.stateDict();
    bad.schedulers = [new StepLR(sgd(), 2).stateDict(), new ExponentialLR(sgd(), 0.9).stateDict()];
    expect(() => seq.loadStateDict(bad)).toThrow('SequentialLR.loadStateDict: schedulers[0]: LinearLR.loadStateDict:');
  });
});
