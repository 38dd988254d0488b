import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  expectClose,
  loadOptimFixtures,
  parseOptimFixtures,
  type HostTensor,
  type RawOptimCase,
} from '@flint/conformance';
import {
  fromArray,
  getBackend,
  manualSeed,
  memory,
  noGrad,
  randn,
  tensor,
  tidy,
  zeros,
  type Tensor,
} from '../index.js';
import { Adadelta, Adagrad, Adam, AdamW, NAdam, type Optimizer, RMSprop, SGD } from './index.js';

// Golden values from PyTorch, computed in float64: the shared conformance fixture
// (packages/conformance/fixtures/generate.py) plus this package's extra cases (fixtures/generate_optim_extra.py).
const extra = JSON.parse(readFileSync(new URL('./fixtures/optim_extra.json', import.meta.url), 'utf8')) as {
  cases: RawOptimCase[];
};
const fixture = { cases: [...loadOptimFixtures(), ...parseOptimFixtures(extra)] };

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const CTORS: Record<string, new (params: Tensor[], options: never) => Optimizer<{ lr: number }>> = {
  SGD: SGD as never,
  Adam: Adam as never,
  AdamW: AdamW as never,
  RMSprop: RMSprop as never,
  Adagrad: Adagrad as never,
  Adadelta: Adadelta as never,
  NAdam: NAdam as never,
};

const upload = (t: HostTensor): Tensor => fromArray(Float32Array.from(t.data), t.shape);

describe('optimizers match PyTorch (golden fixtures)', () => {
  it('covers every optimizer', () => {
    expect(new Set(fixture.cases.map((c) => c.optimizer))).toEqual(new Set(Object.keys(CTORS)));
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v]));
      const params = c.params.map((p) => upload(p).requiresGrad_());
      const opt = new CTORS[c.optimizer]!(params, options as never);
      c.grads.forEach((grads, step) => {
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = upload(grads[i]!);
        });
        const before = params.map((p) => p);
        opt.step();
        expect(params).toEqual(before);
        params.forEach((p, i) => {
          // float32 arithmetic against a float64 reference: rtol 1e-5 (atol 1e-6 for values near 0).
          expectClose(
            p.dataSync(),
            c.after[step]![i]!.data,
            { rtol: 1e-5, atol: 1e-6 },
            `${c.name} step ${step + 1} param ${i}`,
          );
        });
      });
      opt.disposeState();
      for (const p of params) {
        p.grad?.dispose();
        p.dispose();
      }
    });
  }
});

/** A tiny regression model written with raw tensors (independent of nn). */
function tinyModel() {
  manualSeed(1);
  const w1 = randn(4, 8).mul(0.5).requiresGrad_();
  const b1 = zeros(8, { requiresGrad: true });
  const w2 = randn(8, 1).mul(0.5).requiresGrad_();
  const x = randn(16, 4);
  const y = x.sum(1, true).sin();
  const params = [w1, b1, w2];
  const lossStep = (): number =>
    tidy(() => {
      const h = x.matmul(w1).add(b1).relu();
      const loss = h.matmul(w2).sub(y).square().mean();
      loss.backward();
      return loss.item();
    });
  return { params, lossStep, x, y };
}

describe('Optimizer behaviour', () => {
  it('writes parameters in place and keeps their identity and storage handle count', () => {
    const p = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.5 });
    p.grad = tensor([1, 1, 1]);
    const obj = p;
    opt.step();
    expect(opt.paramGroups[0]!.params[0]).toBe(obj);
    expect(Array.from(p.dataSync())).toEqual([0.5, 1.5, 2.5]);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
  });

  it('skips parameters without a gradient and creates no state for them', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, -1]);
    opt.step();
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
  });

  it('zeroGrad disposes and nulls gradients by default, or zeroes them in place', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    const g = tensor([3, 4]);
    p.grad = g;
    opt.zeroGrad(false);
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
  });

  it('step(closure) evaluates the loss with grad enabled and returns it', () => {
    const p = tensor([2], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.25 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.square().sum();
        l.backward();
        return l;
      }),
    ) as Tensor;
    expect(loss.item()).toBe(4);
    expect(p.item()).toBe(1); // 2 - 0.25 * 4
  });

  it('param groups: per-group options, defaults fill the rest, addParamGroup, validation', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const c = tensor([1], { requiresGrad: true });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: c, lr: 0.01, momentum: 0 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0.9],
      [0.5, 0.9],
      [0.01, 0],
    ]);
    for (const p of [a, b, c]) p.grad = tensor([1]);
    opt.step();
    expect([a.item(), b.item(), c.item()].map((v) => Number(v.toFixed(6)))).toEqual([0.9, 0.5, 0.99]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('some parameters appear in more than one parameter group');
    expect(() => new SGD([], { lr: 0.1 })).toThrow('optimizer got an empty parameter list');
    expect(() => new SGD([a], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new SGD([a], { lr: 0.1, nesterov: true })).toThrow(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(() => new Adam([a], { betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new SGD([a.mul(2)], { lr: 0.1 })).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new SGD([tensor([1], { dtype: 'int32' })])).toThrow('float32');
  });

  it('stateDict / loadStateDict: PyTorch layout, resuming gives identical trajectories', () => {
    const make = () => {
      manualSeed(3);
      return [randn(3, 2).requiresGrad_(), randn(2).requiresGrad_()];
    };
    const grads = Array.from({ length: 6 }, () => [randn(3, 2), randn(2)]);
    const run = (opt: Optimizer<{ lr: number }>, params: Tensor[], from: number, to: number) => {
      for (let s = from; s < to; s++) {
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = grads[s]![i]!.clone();
        });
        opt.step();
      }
    };
    const pa = make();
    const a = new Adam([{ params: [pa[0]!] }, { params: [pa[1]!], lr: 0.05 }], { lr: 0.01, amsgrad: true });
    run(a, pa, 0, 3);
    const sd = a.stateDict();
    expect(Object.keys(sd)).toEqual(['state', 'param_groups']);
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.param_groups[1]!.lr).toBe(0.05);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(Object.keys(sd.state[0]!).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect(sd.state[0]!.step).toBe(3);

    const pb = make();
    const b = new Adam([{ params: [pb[0]!] }, { params: [pb[1]!] }], { lr: 0.9 });
    // Bring b's parameters to where a's are, then load the optimizer state.
    noGrad(() =>
      pb.forEach((p, i) => {
        p.copy_(pa[i]!);
      }),
    );
    b.loadStateDict(sd);
    expect(b.paramGroups[1]!.lr).toBe(0.05);
    expect(b.paramGroups[0]!.amsgrad).toBe(true);
    expect(b.state.get(pb[0]!)!.exp_avg).not.toBe(sd.state[0]!.exp_avg); // copied
    run(a, pa, 3, 6);
    run(b, pb, 3, 6);
    pa.forEach((p, i) => {
      expect(Array.from(pb[i]!.dataSync())).toEqual(Array.from(p.dataSync()));
    });

    // Mismatches are reported clearly.
    const one = new Adam([make()[0]!]);
    expect(() => one.loadStateDict(sd)).toThrow('loaded state dict has 2 parameter groups, the optimizer has 1');
    const q = make();
    const swapped = new Adam([{ params: [q[1]!] }, { params: [q[0]!] }]);
    expect(() => swapped.loadStateDict(sd)).toThrow(
      "state 'exp_avg' of parameter 0 has shape [3, 2], but the parameter has shape [2]",
    );
    const big = new Adam([{ params: [q[0]!, q[1]!] }, { params: [randn(1).requiresGrad_()] }]);
    expect(() => big.loadStateDict(sd)).toThrow("doesn't match the size of optimizer's group");
    expect(() => b.loadStateDict({ state: { 7: {} }, param_groups: sd.param_groups })).toThrow(
      'state for parameter index 7',
    );
  });

  it('a step never reads tensor data back to the host', () => {
    const { params, lossStep } = tinyModel();
    const kernels = getBackend('cpu').kernels;
    for (const Ctor of [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, NAdam]) {
      const opt = new (Ctor as typeof SGD)(params, { lr: 0.01 });
      lossStep();
      const readSync = vi.spyOn(kernels, 'readSync');
      const read = vi.spyOn(kernels, 'read');
      opt.step();
      opt.step();
      expect(readSync, Ctor.name).not.toHaveBeenCalled();
      expect(read, Ctor.name).not.toHaveBeenCalled();
      readSync.mockRestore();
      read.mockRestore();
      opt.zeroGrad();
      opt.disposeState();
    }
  });

  it('100 SGD-momentum and Adam steps do not grow memory after the first step', () => {
    for (const make of [
      (ps: Tensor[]) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
      (ps: Tensor[]) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 1e-4 }),
    ]) {
      const { params, lossStep } = tinyModel();
      const opt = make(params);
      const first = lossStep();
      opt.step();
      opt.zeroGrad();
      const handles = memory().handles;
      let last = first;
      for (let i = 0; i < 100; i++) {
        last = lossStep();
        opt.step();
        opt.zeroGrad();
        expect(memory().handles).toBe(handles);
      }
      expect(last).toBeLessThan(first);
      opt.disposeState();
    }
  });
});
