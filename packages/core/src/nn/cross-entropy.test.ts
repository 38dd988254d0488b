/**
 * The fused cross entropy (cross-entropy.ts) and the one-pass activation gradients give what core's
 * composites give: loss, gradient and gradient of the gradient, on cpu with its kernels, on cpu with
 * crossEntropy but not crossEntropyBackward (the rule's composite), and on cpu without any optional
 * kernel (the composite op). The PyTorch fixtures check the composite itself (losses.test.ts).
 */
import '@flint/backend-cpu';
import { cpuBackend } from '@flint/backend-cpu';
import { withoutOptionalKernels } from '@flint/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, Kernels } from '../backend/kernels.js';
import { registerBackend, removeBackend } from '../backend/registry.js';
import * as api from '../index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CrossEntropyOptions } from './functional.js';

const { autograd, memory, nn, tensor } = api;
const F = nn.functional;

const calls = new Map<string, number>();
/** cpu with every kernel call counted (by name), optionally hiding some kernels. */
function counted(name: string, hidden: readonly string[] = []): Backend<unknown> {
  const base = cpuBackend.kernels as unknown as Record<string, unknown>;
  const kernels = new Proxy(base, {
    get(target, key: string) {
      if (hidden.includes(key)) return undefined;
      const k = target[key];
      if (typeof k !== 'function') return k;
      return (...args: unknown[]) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return (k as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { ...(cpuBackend as unknown as Backend<unknown>), name, kernels: kernels as unknown as Kernels<unknown> };
}

const FUSED = 'cpu-counted';
const FORWARD_ONLY = 'cpu-ce-forward-only';
const COMPOSED = 'cpu-ce-composed';
registerBackend(counted(FUSED));
registerBackend(counted(FORWARD_ONLY, ['crossEntropyBackward']));
registerBackend(withoutOptionalKernels(cpuBackend, COMPOSED));
afterAll(() => {
  for (const d of [FUSED, FORWARD_ONLY, COMPOSED]) removeBackend(d);
});

const DEVICES = [FUSED, FORWARD_ONLY, COMPOSED] as const;

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

function expectAllClose(got: readonly number[], want: readonly number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else expect(Math.abs(g - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  });
}

interface Run {
  loss: number[];
  grad: number[];
  gradOfGrad: number[];
}

/** Loss, d loss / d x, and d (sum of squared gradient) / d x (createGraph) on `device`. */
function run(
  device: string,
  x: number[][] | number[],
  target: number[] | number,
  options: CrossEntropyOptions = {},
  weight: number[] | null = null,
): Run {
  return api.tidy(() => {
    const input = tensor(x, { device, requiresGrad: true });
    const t = tensor(target, { device, dtype: 'int32' });
    const w = weight === null ? null : tensor(weight, { device });
    const loss = F.crossEntropy(input, t, { ...options, weight: w });
    const seed = loss.ndim === 0 ? undefined : api.onesLike(loss).mul(tensor(0.7, { device }));
    // First order as backward() runs it (the kernel's path), then recorded for the second order.
    const [plain] = autograd.grad([loss], [input], { retainGraph: true, gradOutputs: seed ?? null });
    const [g] = autograd.grad([loss], [input], { createGraph: true, gradOutputs: seed ?? null });
    expectAllClose(values(plain!), values(g!));
    const [gg] = autograd.grad([g!.square().sum()], [input]);
    return { loss: values(loss), grad: values(plain!), gradOfGrad: values(gg!) };
  });
}

const X = [
  [0.3, -1.2, 2.0, 0.5],
  [1.5, 0.1, -0.7, -2.2],
  [-0.4, 0.9, 0.2, 1.1],
  [2.4, -0.3, 0.6, -1.0],
  [0.0, 0.8, -1.5, 0.4],
];
const T = [2, 0, 3, 3, 1];
const W = [0.5, 1.5, 1.0, 2.0];

const CONFIGS: [string, CrossEntropyOptions, number[] | null, number[]][] = [
  ['mean', {}, null, T],
  ['sum', { reduction: 'sum' }, null, T],
  ['none', { reduction: 'none' }, null, T],
  ['weights, mean', {}, W, T],
  ['weights, none', { reduction: 'none' }, W, T],
  ['ignoreIndex', { ignoreIndex: 3 }, null, T],
  ['ignoreIndex with weights, sum', { ignoreIndex: 0, reduction: 'sum' }, W, T],
  ['label smoothing', { labelSmoothing: 0.2 }, null, T],
  ['label smoothing, weights, ignored, none', { labelSmoothing: 0.1, ignoreIndex: 1, reduction: 'none' }, W, T],
  ['label smoothing, weights, ignored, mean', { labelSmoothing: 0.3, ignoreIndex: 1 }, W, T],
];

describe('fused crossEntropy', () => {
  it.each(CONFIGS)('%s: loss, gradient and gradient of the gradient match the composite', (_, options, w, t) => {
    const [fused, forwardOnly, composed] = DEVICES.map((d) => run(d, X, t, options, w));
    for (const r of [fused!, forwardOnly!]) {
      expectAllClose(r.loss, composed!.loss);
      expectAllClose(r.grad, composed!.grad);
      expectAllClose(r.gradOfGrad, composed!.gradOfGrad, 1e-4);
    }
  });

  it('takes one kernel forward and one backward on cpu, and the composite elsewhere', () => {
    calls.clear();
    api.tidy(() => {
      const input = tensor(X, { device: FUSED, requiresGrad: true });
      F.crossEntropy(input, tensor(T, { device: FUSED, dtype: 'int32' })).backward();
    });
    expect([calls.get('crossEntropy'), calls.get('crossEntropyBackward')]).toEqual([1, 1]);
    // Logits of rank 3 ([N, C, d]) keep the composite.
    calls.clear();
    api.tidy(() =>
      F.crossEntropy(api.randn([2, 3, 4], { device: FUSED }), api.randint(0, 3, [2, 4], { device: FUSED })),
    );
    expect(calls.get('crossEntropy')).toBeUndefined();
  });

  it('every row ignored: the mean is NaN (0 / 0) and the gradient 0, as PyTorch', () => {
    for (const d of DEVICES) {
      const r = run(d, X, [-100, -100, -100, -100, -100]);
      expect(r.loss[0]).toBeNaN();
      expect(r.grad).toEqual(X.flat().map(() => 0));
    }
  });

  it('a [C] input with a [] target, and NaN for an out-of-range class', () => {
    for (const d of DEVICES) {
      const one = run(d, X[0]!, 2, { reduction: 'none' });
      expectAllClose(one.loss, run(COMPOSED, X[0]!, 2, { reduction: 'none' }).loss);
      expect(
        api.tidy(() =>
          F.crossEntropy(tensor(X, { device: d }), tensor([0, 4, 1, 1, 1], { device: d, dtype: 'int32' })).item(),
        ),
      ).toBeNaN();
    }
    expectAllClose(run(FUSED, X[0]!, 2).grad, run(COMPOSED, X[0]!, 2).grad);
  });

  it('nn.CrossEntropyLoss trains the same with and without the kernels, leaving no handle behind', () => {
    const before = memory().handles;
    const trained = [FUSED, COMPOSED].map((device) =>
      api.tidy(() => {
        api.manualSeed(3);
        const model = new nn.Linear(4, 3).to(device);
        const opt = new api.optim.SGD(model.parameters(), { lr: 0.1 });
        const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.05 });
        const x = tensor(X, { device });
        const y = tensor([2, 0, 1, 1, 0], { device, dtype: 'int32' });
        for (let i = 0; i < 5; i++)
          api.tidy(() => {
            opt.zeroGrad();
            lossFn(model(x), y).backward();
            opt.step();
          });
        const w = values(model.weight);
        for (const p of model.parameters()) {
          p.grad?.dispose();
          p.dispose();
        }
        return w;
      }),
    );
    expectAllClose(trained[0]!, trained[1]!);
    expect(memory().handles).toBe(before);
  });
});

describe('one-pass activation gradients', () => {
  const y = [-3, -0.5, 0, 0.25, 1, 4];
  it.each(['relu', 'sigmoid', 'tanh'] as const)(
    '%s: the kernel gives the composite bit for bit, second order too',
    (name) => {
      const [fused, composed] = [FUSED, COMPOSED].map((device) =>
        api.tidy(() => {
          const x = tensor(y, { device, requiresGrad: true });
          const out = x[name]();
          const [g] = autograd.grad([out.mul(tensor([1, -2, 3, 0.5, -1, 2], { device })).sum()], [x], {
            createGraph: true,
          });
          // relu's gradient does not depend on x differentiably (its mask is a constant).
          const [gg] = g!.requiresGrad ? autograd.grad([g!.sum()], [x], { allowUnused: true }) : [null];
          const plain = autograd.grad([x[name]().sum()], [x])[0]!;
          return { g: values(g!), gg: gg == null ? null : values(gg), plain: values(plain) };
        }),
      );
      expect(fused!.plain).toEqual(composed!.plain);
      expect(fused!.g).toEqual(composed!.g);
      expect(fused!.gg).toEqual(composed!.gg);
    },
  );

  it('the kernels run when the backward is not recorded, and relu gives 0 (not NaN) for an infinite gradient at an off unit', () => {
    calls.clear();
    const grads = [FUSED, COMPOSED].map((device) =>
      api.tidy(() => {
        const x = tensor([-1, 2, -3], { device, requiresGrad: true });
        x.relu().backward(tensor([Infinity, 1, Number.NaN], { device }));
        return values(x.grad!);
      }),
    );
    expect(calls.get('reluBackward')).toBe(1);
    expect(grads).toEqual([
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });
});
