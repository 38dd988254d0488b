import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { expectClose, parseOptimFixtures, type HostTensor, type RawOptimCase } from '@flint/conformance';
import { fromArray, getBackend, manualSeed, memory, noGrad, randn, tidy, zeros, type Tensor } from '../index.js';
import { ASGD, Adam, Adamax, LBFGS, type Optimizer, RAdam, Rprop, SGD } from './index.js';

// Golden values from torch.optim in float64 (fixtures/generate_optim_new.py).
interface LbfgsCase {
  name: string;
  options: Record<string, unknown>;
  params: HostTensor[];
  after: HostTensor[][];
  after_float32: HostTensor[][];
  losses: number[];
  losses_float32: number[];
  func_evals: number;
  n_iter: number;
}
const raw = JSON.parse(readFileSync(new URL('./fixtures/optim_new.json', import.meta.url), 'utf8')) as {
  cases: (RawOptimCase & { ax?: HostTensor[][] })[];
  lbfgs: { X: HostTensor; Y: HostTensor; cases: LbfgsCase[] };
};
const fixture = parseOptimFixtures(raw);

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelOptions = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
const CTORS: Record<string, new (params: Tensor[], options: never) => Optimizer<{ lr: number }>> = {
  RAdam: RAdam as never,
  Adamax: Adamax as never,
  Rprop: Rprop as never,
  ASGD: ASGD as never,
};
const upload = (t: HostTensor): Tensor => fromArray(Float32Array.from(t.data), t.shape);

describe('RAdam, Adamax, Rprop, ASGD match PyTorch (golden fixtures)', () => {
  it('covers every optimizer', () => {
    expect(new Set(fixture.map((c) => c.optimizer))).toEqual(new Set(Object.keys(CTORS)));
  });
  fixture.forEach((c, ci) => {
    it(c.name, () => {
      const params = c.params.map((p) => upload(p).requiresGrad_());
      const opt = new CTORS[c.optimizer]!(params, camelOptions(c.options) as never);
      const ax = raw.cases[ci]!.ax;
      c.grads.forEach((grads, step) => {
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = upload(grads[i]!);
        });
        opt.step();
        params.forEach((p, i) => {
          expectClose(
            p.dataSync(),
            c.after[step]![i]!.data,
            { rtol: 1e-5, atol: 1e-6 },
            `${c.name} step ${step + 1} p${i}`,
          );
          if (ax !== undefined) {
            const mine = opt.state.get(p)!.ax as Tensor;
            expectClose(
              mine.dataSync(),
              ax[step]![i]!.data,
              { rtol: 1e-5, atol: 1e-6 },
              `${c.name} ax step ${step + 1}`,
            );
          }
        });
      });
      opt.disposeState();
      for (const p of params) {
        p.grad?.dispose();
        p.dispose();
      }
    });
  });

  it('PyTorch defaults and validation messages', () => {
    const p = zeros(2, { requiresGrad: true });
    expect(new RAdam([p]).defaults).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    expect(new Adamax([p]).defaults).toMatchObject({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    expect(new Rprop([p]).defaults).toMatchObject({ lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] });
    expect(new ASGD([p]).defaults).toMatchObject({ lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0 });
    expect(new LBFGS([p]).defaults).toMatchObject({
      lr: 1,
      maxIter: 20,
      maxEval: 25,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
    });
    expect(new LBFGS([p], { maxIter: 8 }).defaults.maxEval).toBe(10);
    expect(() => new Rprop([p], { etas: [1.5, 1.2] })).toThrow('Invalid eta values: 1.5, 1.2');
    expect(() => new RAdam([p], { betas: [0.9, 1] })).toThrow('Invalid beta parameter at index 1: 1');
    expect(() => new LBFGS([p], { lineSearchFn: 'backtracking' as never })).toThrow("only 'strong_wolfe'");
    expect(() => new LBFGS([{ params: [p] }, { params: [zeros(1, { requiresGrad: true })] }])).toThrow(
      "LBFGS doesn't support per-parameter options",
    );
    expect(() => new LBFGS([p]).step()).toThrow('LBFGS.step: a closure is required');
  });
});

describe('LBFGS matches PyTorch (golden fixtures)', () => {
  const X = upload(raw.lbfgs.X);
  const Y = upload(raw.lbfgs.Y);
  for (const c of raw.lbfgs.cases) {
    it(c.name, () => {
      const [W, b] = c.params.map((p) => upload(p).requiresGrad_()) as [Tensor, Tensor];
      const opt = new LBFGS([W, b], camelOptions(c.options) as never);
      const closure = (): Tensor => {
        opt.zeroGrad();
        const loss = X.matmul(W).add(b).tanh().sub(Y).square().mean();
        loss.backward();
        return loss;
      };
      const handles = memory().handles;
      c.after.forEach((expected, step) => {
        const loss = opt.step(closure) as Tensor;
        const lossRef = c.losses[step]!;
        expect(Math.abs(loss.item() - lossRef), `${c.name} loss ${step + 1}`).toBeLessThanOrEqual(
          Math.max(1e-6 + 1e-6 * Math.abs(lossRef), 2 * Math.abs(c.losses_float32[step]! - lossRef)),
        );
        loss.dispose();
        // float32 against float64 through several quasi-Newton iterations: within rtol 1e-5 / atol
        // 1e-5, or within twice the distance of torch's own float32 run from the float64 one.
        [W, b].forEach((p, i) => {
          const mine = p.dataSync();
          const ref = expected[i]!.data;
          const single = c.after_float32[step]![i]!.data;
          ref.forEach((r, k) => {
            const allowed = Math.max(1e-5 + 1e-5 * Math.abs(r), 2 * Math.abs(single[k]! - r));
            expect(Math.abs(mine[k]! - r), `${c.name} step ${step + 1} param ${i}[${k}]`).toBeLessThanOrEqual(allowed);
          });
        });
      });
      const state = opt.state.get(W)!;
      expect(state.func_evals).toBe(c.func_evals);
      expect(state.n_iter).toBe(c.n_iter);
      // Resuming from a state dict continues the same trajectory.
      const sd = opt.stateDict();
      const [W2, b2] = tidy(() => [W.detach().clone().requiresGrad_(), b.detach().clone().requiresGrad_()]) as [
        Tensor,
        Tensor,
      ];
      const opt2 = new LBFGS([W2, b2], camelOptions(c.options) as never);
      opt2.loadStateDict(sd);
      const closure2 = (): Tensor => {
        opt2.zeroGrad();
        const loss = X.matmul(W2).add(b2).tanh().sub(Y).square().mean();
        loss.backward();
        return loss;
      };
      (opt.step(closure) as Tensor).dispose();
      (opt2.step(closure2) as Tensor).dispose();
      expect(Array.from(W2.dataSync())).toEqual(Array.from(W.dataSync()));
      opt.zeroGrad();
      opt2.zeroGrad();
      opt2.disposeState();
      W2.dispose();
      b2.dispose();
      opt.disposeState();
      W.dispose();
      b.dispose();
      expect(memory().handles).toBe(handles - 2);
    });
  }

  it('rejects state of the wrong length', () => {
    const p = zeros(3, { requiresGrad: true });
    const opt = new LBFGS([p]);
    expect(() =>
      opt.loadStateDict({
        state: { 0: { d: zeros(4), n_iter: 1 } },
        param_groups: opt.stateDict().param_groups,
      }),
    ).toThrow("state 'd' of parameter 0 has shape [4], expected [3]");
  });
});

describe('new optimizers: host reads, memory, state dicts', () => {
  function tinyModel() {
    manualSeed(1);
    const w1 = randn(4, 8).mul(0.5).requiresGrad_();
    const w2 = randn(8, 1).mul(0.5).requiresGrad_();
    const x = randn(16, 4);
    const y = x.sum(1, true).sin();
    const lossStep = (): void =>
      tidy(() => {
        x.matmul(w1).relu().matmul(w2).sub(y).square().mean().backward();
      });
    return { params: [w1, w2], lossStep };
  }
  const makers: [string, (ps: Tensor[]) => Optimizer<{ lr: number }>][] = [
    ['RAdam', (ps) => new RAdam(ps, { lr: 0.01, weightDecay: 0.01 })],
    ['Adamax', (ps) => new Adamax(ps, { weightDecay: 0.01 })],
    ['Rprop', (ps) => new Rprop(ps)],
    ['ASGD', (ps) => new ASGD(ps, { t0: 2, weightDecay: 0.01 })],
  ];

  it('a step never reads tensor data back and memory stays flat', () => {
    const kernels = getBackend('cpu').kernels;
    for (const [name, make] of makers) {
      const { params, lossStep } = tinyModel();
      const opt = make(params);
      lossStep();
      opt.step();
      opt.zeroGrad();
      const handles = memory().handles;
      for (let i = 0; i < 10; i++) {
        lossStep();
        const readSync = vi.spyOn(kernels, 'readSync');
        opt.step();
        expect(readSync, name).not.toHaveBeenCalled();
        readSync.mockRestore();
        opt.zeroGrad();
        expect(memory().handles, name).toBe(handles);
      }
      opt.disposeState();
    }
  });

  it('stateDict / loadStateDict resumes each exactly; another optimizer’s state is rejected by name', () => {
    for (const [name, make] of makers) {
      const a = tinyModel();
      const optA = make(a.params);
      for (let i = 0; i < 3; i++) {
        a.lossStep();
        optA.step();
        optA.zeroGrad();
      }
      const b = tinyModel();
      noGrad(() => {
        b.params.forEach((p, i) => {
          p.copy_(a.params[i]!);
        });
      });
      const optB = make(b.params);
      optB.loadStateDict(optA.stateDict());
      for (let i = 0; i < 3; i++) {
        for (const [m, o] of [
          [a, optA],
          [b, optB],
        ] as const) {
          m.lossStep();
          o.step();
          o.zeroGrad();
        }
      }
      a.params.forEach((p, i) => {
        expect(Array.from(b.params[i]!.dataSync()), name).toEqual(Array.from(p.dataSync()));
      });
      optB.disposeState();
    }
    const { params, lossStep } = tinyModel();
    const adam = new Adam(params);
    lossStep();
    adam.step();
    expect(() => new RAdam(params).loadStateDict(adam.stateDict())).not.toThrow(); // same names: compatible
    expect(() => new Rprop(params).loadStateDict(adam.stateDict())).toThrow(
      "Rprop.loadStateDict: param_groups[0] has no option 'etas'",
    );
    const sgdState = new SGD(params, { momentum: 0.9 });
    sgdState.step();
    const sd = sgdState.stateDict();
    sd.param_groups[0] = { ...adam.stateDict().param_groups[0]!, params: [0, 1] };
    expect(() => new Adam(params).loadStateDict(sd)).toThrow(
      "Adam.loadStateDict: unexpected state 'momentum_buffer' for parameter 0",
    );
  });
});
