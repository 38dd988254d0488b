import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, zeros } from '../index.js';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  lr_scheduler,
} from './index.js';

interface SchedCase {
  name: string;
  lrs: number[];
  lr: number[][];
  lastLr: number[][];
  metrics?: number[];
}
// Golden sequences from torch.optim.lr_scheduler (fixtures/generate_schedulers.py).
const cases = (
  JSON.parse(readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8')) as { cases: SchedCase[] }
).cases;

type Sched = { step(metric?: number): void; getLastLr(): number[] };
const MAKERS: Record<string, (opt: SGD) => Sched> = {
  'StepLR(stepSize=3, gamma=0.5)': (o) => new StepLR(o, 3, 0.5),
  'MultiStepLR([2, 5, 5, 8], gamma=0.1)': (o) => new MultiStepLR(o, [2, 5, 5, 8], 0.1),
  'ExponentialLR(0.9)': (o) => new ExponentialLR(o, 0.9),
  'CosineAnnealingLR(tMax=5, etaMin=0.001)': (o) => new CosineAnnealingLR(o, 5, 0.001),
  'CosineAnnealingLR(tMax=4)': (o) => new CosineAnnealingLR(o, 4),
  'LambdaLR(0.95 ** epoch)': (o) => new LambdaLR(o, (e) => 0.95 ** e),
  'LinearLR(startFactor=0.25, endFactor=1, totalIters=4)': (o) => new LinearLR(o, 0.25, 1.0, 4),
  'ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, minLr=0.02)': (o) =>
    new ReduceLROnPlateau(o, { mode: 'min', patience: 2, factor: 0.5, cooldown: 1, minLr: 0.02 }) as unknown as Sched,
  'ReduceLROnPlateau(mode=max, thresholdMode=abs, threshold=0.1, patience=1)': (o) =>
    new ReduceLROnPlateau(o, { mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 1 }) as unknown as Sched,
};

const optimizerFor = (lrs: number[]) =>
  new SGD(
    lrs.map((lr) => ({ params: [zeros(1, { requiresGrad: true })], lr })),
    { lr: lrs[0] },
  );

function expectLrs(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!), `${what}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(
      1e-12 + 1e-12 * Math.abs(expected[i]!),
    );
  });
}

describe('lr_scheduler matches PyTorch', () => {
  it('has a maker for every golden case', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(MAKERS).sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      const opt = optimizerFor(c.lrs);
      const sched = MAKERS[c.name]!(opt);
      expectLrs(
        opt.paramGroups.map((g) => g.lr),
        c.lr[0]!,
        'after construction',
      );
      for (let i = 0; i < c.lr.length - 1; i++) {
        opt.step();
        sched.step(c.metrics?.[i]);
        expectLrs(
          opt.paramGroups.map((g) => g.lr),
          c.lr[i + 1]!,
          `after step ${i + 1}`,
        );
        expectLrs(sched.getLastLr(), c.lastLr[i + 1]!, `getLastLr after step ${i + 1}`);
      }
    });
  }
});

describe('lr_scheduler behaviour', () => {
  it('records initialLr, exposes baseLrs, and is reachable as optim.lr_scheduler', () => {
    const opt = optimizerFor([0.1, 0.2]);
    const s = new lr_scheduler.StepLR(opt, 1, 0.5);
    expect(s.baseLrs).toEqual([0.1, 0.2]);
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.1]);
  });

  it('resuming: a scheduler built with lastEpoch needs initialLr; stateDict round trip continues the schedule', () => {
    expect(() => new StepLR(optimizerFor([0.1]), 2, 0.5, 3)).toThrow(
      "param 'initialLr' is not specified in paramGroups[0]",
    );
    const opt = optimizerFor([1]);
    const a = new CosineAnnealingLR(opt, 10, 0.0);
    for (let i = 0; i < 4; i++) a.step();
    const saved = a.stateDict();
    expect(saved.lastEpoch).toBe(4);
    const opt2 = optimizerFor([1]);
    const b = new CosineAnnealingLR(opt2, 10, 0.0);
    b.loadStateDict(saved);
    opt2.paramGroups[0]!.lr = opt.paramGroups[0]!.lr;
    a.step();
    b.step();
    expect(opt2.paramGroups[0]!.lr).toBeCloseTo(opt.paramGroups[0]!.lr, 14);
  });

  it('LambdaLR takes one function per group; ReduceLROnPlateau accepts a one-element tensor', () => {
    const opt = optimizerFor([1, 10]);
    const s = new LambdaLR(opt, [(e) => 1 / (e + 1), (e) => e + 1]);
    s.step();
    expect(s.getLastLr()).toEqual([0.5, 20]);
    expect(() => new LambdaLR(opt, [(e) => e])).toThrow('Expected 2 lr_lambdas, but got 1');
    const p = new ReduceLROnPlateau(optimizerFor([1]), { patience: 0 });
    p.step(tensor(1));
    p.step(tensor(2));
    expect(p.getLastLr()).toEqual([0.1]);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow('Factor should be < 1.0.');
  });
});

describe("PyTorch's positional-then-keyword form", () => {
  const optimizer = () => new optim.SGD([new nn.Parameter(zeros(1))], { lr: 1 });
  it('an options object after positional arguments is an error naming the option (the lr was NaN)', () => {
    expect(
      () => new (optim.StepLR as unknown as new (...a: unknown[]) => unknown)(optimizer(), 1, { gamma: 0.95 }),
    ).toThrow(
      "StepLR: option 'gamma' got an object ({\"gamma\":0.95}): PyTorch's keyword arguments go in one options object right after the optimizer (new StepLR(optimizer, { ... }))",
    );
    expect(
      () =>
        new (optim.CosineAnnealingLR as unknown as new (...a: unknown[]) => unknown)(optimizer(), 10, { etaMin: 0.1 }),
    ).toThrow("CosineAnnealingLR: option 'etaMin' got an object");
    const s = new optim.StepLR(optimizer(), 1, 0.95);
    s.step();
    expect(s.getLastLr()[0]).toBeCloseTo(0.95, 12);
  });

  it("ReduceLROnPlateau(opt, 'min', { patience }) takes the trailing keywords (factor was the object: NaN)", () => {
    const opt = optimizer();
    const s = new optim.ReduceLROnPlateau(opt, 'min', { patience: 0, factor: 0.5 });
    s.step(1);
    s.step(2);
    expect(opt.paramGroups[0]!.lr).toBe(0.5);
    expect(
      () =>
        new optim.ReduceLROnPlateau(opt, 'min', { patient: 1 } as unknown as Partial<optim.ReduceLROnPlateauOptions>),
    ).toThrow("ReduceLROnPlateau: unknown option 'patient'");
  });
});
