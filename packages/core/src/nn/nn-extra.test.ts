/**
 * Issue 11's modules against PyTorch (conformance's modules-nnextra.json, generate_nnextra.py):
 * state_dict names, order and layouts, outputs, input and parameter gradients and buffers in train
 * and eval mode. The functional forms' fixtures (ops-nnextra.json) run on every backend through
 * @flint/conformance; here are also the random training modes (statistics and structure), the
 * parameter containers and the errors.
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { loadModuleFixtures, runModuleFixture } from '@flint/conformance';
import * as api from '../index.js';
import { arange, manualSeed, nn, randint, randn, tensor, zeros, ones, memory, tidy } from '../index.js';
import { expectClose } from './test-helpers.js';

const F = nn.functional;

const cases = loadModuleFixtures('modules-nnextra.json');

describe('issue 11 modules against PyTorch (modules-nnextra.json)', () => {
  it('covers every module family', () => {
    const names = new Set(cases.map((c) => c.module));
    for (const m of [
      'GroupNorm',
      'InstanceNorm1d',
      'InstanceNorm2d',
      'EmbeddingBag',
      'Bilinear',
      'PReLU',
      'CTCLoss',
      'MultiMarginLoss',
    ])
      expect(names.has(m), m).toBe(true);
    expect(cases.some((c) => !c.train)).toBe(true);
  });
  // The module builders and the runner live in @flint/conformance (src/modules/), which every
  // backend's test files also run; here on cpu, through core's source.
  for (const c of cases) {
    it(c.name, () => runModuleFixture(api, c));
  }
});

describe('random training modes', () => {
  it('dropout1d / dropout2d drop whole channels with probability p and scale the rest by 1/(1-p)', () => {
    manualSeed(3);
    for (const [fn, shape] of [
      [F.dropout1d, [40, 50, 3]],
      [F.dropout2d, [40, 50, 2, 2]],
    ] as const) {
      const x = randn(...shape, { requiresGrad: true });
      const y = fn(x, 0.3);
      const xs = x.dataSync();
      const ys = y.dataSync();
      const per = shape.slice(2).reduce((a, b) => a * b, 1);
      let dropped = 0;
      for (let ch = 0; ch < 40 * 50; ch++) {
        const ratios = Array.from({ length: per }, (_, k) => ys[ch * per + k]! / xs[ch * per + k]!);
        const isDropped = ratios.every((r) => r === 0);
        if (isDropped) dropped++;
        else for (const r of ratios) expect(r).toBeCloseTo(1 / 0.7, 5);
      }
      // 2000 channels, p = 0.3: the count is 600 +- 3 standard deviations (20.5).
      expect(Math.abs(dropped - 600)).toBeLessThan(62);
      y.sum().backward();
      const g = x.grad!.dataSync();
      for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(ys[i]! / xs[i]!, 5);
      expect(fn(x, 0.3, false)).toBe(x);
    }
    // dropout1d also takes unbatched [C, L]: the mask is per channel.
    const y = F.dropout1d(ones([200, 4]), 0.5).dataSync();
    for (let c = 0; c < 200; c++) expect(new Set(Array.from(y.slice(c * 4, c * 4 + 4))).size).toBe(1);
  });

  it('alphaDropout keeps zero mean and unit variance; dropped elements take one value', () => {
    manualSeed(4);
    const p = 0.2;
    const x = randn(200000);
    const y = Array.from(F.alphaDropout(x, p, true).dataSync());
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    const alpha = 1.7580993408473766;
    const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
    const droppedValue = -alpha * a + alpha * a * p;
    const xs = x.dataSync();
    let dropped = 0;
    for (let i = 0; i < y.length; i++) {
      if (Math.abs(y[i]! - droppedValue) < 1e-5) dropped++;
      else expect(y[i]!).toBeCloseTo(xs[i]! * a + alpha * a * p, 4);
    }
    expect(Math.abs(dropped / y.length - p)).toBeLessThan(0.01);
    expect(F.alphaDropout(x, p)).toBe(x);
    // The module follows train()/eval().
    const m = new nn.AlphaDropout(p);
    m.eval();
    expect(m(x)).toBe(x);
  });

  it('featureAlphaDropout drops whole channels to the same value', () => {
    manualSeed(5);
    const y = F.featureAlphaDropout(zeros([30, 20, 3]), 0.5, true).dataSync();
    const values = new Set<number>();
    for (let ch = 0; ch < 600; ch++) {
      expect(new Set(Array.from(y.slice(ch * 3, ch * 3 + 3))).size).toBe(1);
      values.add(Number(y[ch * 3]!.toFixed(5)));
    }
    expect(values.size).toBe(2);
  });

  it('rrelu in training draws a slope in [lower, upper) per non-positive element; gradient is that slope', () => {
    manualSeed(6);
    const x = tensor([-1, -2, -3, -4, 0, 1, 2, -0.5], { requiresGrad: true });
    const y = F.rrelu(x, 0.1, 0.3, true);
    y.sum().backward();
    const xs = x.dataSync();
    const ys = y.dataSync();
    const g = x.grad!.dataSync();
    for (let i = 0; i < xs.length; i++) {
      if (xs[i]! > 0) {
        expect(ys[i]).toBe(xs[i]);
        expect(g[i]).toBe(1);
      } else {
        expect(g[i]).toBeGreaterThanOrEqual(0.1);
        expect(g[i]).toBeLessThan(0.3);
        expect(ys[i]).toBeCloseTo(xs[i]! * g[i]!, 6);
      }
    }
    expect(new Set(Array.from(g.slice(0, 4))).size).toBe(4);
  });
});

describe('ParameterList / ParameterDict', () => {
  it("registers parameters under '0', '1', ... and the dict's keys, as PyTorch's state_dict", () => {
    class Holder extends nn.Module {
      weights = new nn.ParameterList([ones([2, 3]), zeros([3])]);
      extra = new nn.ParameterDict({ scale: ones([1]), shift: new nn.Parameter(zeros([4])) });
    }
    const h = new Holder();
    expect(Object.keys(h.stateDict())).toEqual(['weights.0', 'weights.1', 'extra.scale', 'extra.shift']);
    expect(h.parameters().length).toBe(4);
    expect(h.weights.get(0)).toBeInstanceOf(nn.Parameter);
    expect(h.weights.get(-1).shape).toEqual([3]);
    h.weights.append(ones([5]));
    expect(h.weights.length).toBe(3);
    expect(Object.keys(h.stateDict())).toContain('weights.2');
    expect([...h.extra]).toEqual(['scale', 'shift']);
    h.loadStateDict({
      'weights.0': ones([2, 3]).mul(2),
      'weights.1': ones([3]),
      'weights.2': zeros([5]),
      'extra.scale': tensor([7]),
      'extra.shift': ones([4]),
    });
    expect(h.extra.get('scale')!.item()).toBe(7);
    expect(() => h.loadStateDict({ 'weights.0': ones([2, 3]) })).toThrow(/Missing key\(s\) in state_dict: "weights.1"/);
    expect(() => h.weights.get(3)).toThrow(/out of range/);
    expect(() => h.extra.set('a.b', ones([1]))).toThrow(/can't be empty or contain "."/);
  });
});

describe('repr as PyTorch prints it', () => {
  it('matches torch 1.13 for each new module', () => {
    const expected: [nn.Module, string][] = [
      [new nn.Threshold(0.1, 20), 'Threshold(threshold=0.1, value=20)'],
      [new nn.RReLU(), 'RReLU(lower=0.125, upper=0.3333333333333333)'],
      [new nn.CELU(), 'CELU(alpha=1.0)'],
      [new nn.PReLU(3), 'PReLU(num_parameters=3)'],
      [new nn.Hardshrink(), 'Hardshrink(0.5)'],
      [new nn.Softshrink(0.3), 'Softshrink(0.3)'],
      [new nn.GLU(), 'GLU(dim=-1)'],
      [new nn.Softmin(1), 'Softmin(dim=1)'],
      [new nn.CosineSimilarity(), 'CosineSimilarity()'],
      [new nn.PairwiseDistance(), 'PairwiseDistance()'],
      [new nn.Bilinear(2, 3, 4), 'Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)'],
      [new nn.EmbeddingBag(5, 2, { mode: 'max', paddingIdx: 1 }), 'EmbeddingBag(5, 2, mode=max, padding_idx=1)'],
      [new nn.GroupNorm(2, 4), 'GroupNorm(2, 4, eps=1e-05, affine=True)'],
      [
        new nn.InstanceNorm1d(3, { affine: true }),
        'InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False)',
      ],
      [new nn.LocalResponseNorm(2), 'LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)'],
      [new nn.Dropout2d(0.2), 'Dropout2d(p=0.2, inplace=False)'],
      [new nn.AlphaDropout(0.1), 'AlphaDropout(p=0.1, inplace=False)'],
      [new nn.FeatureAlphaDropout(), 'FeatureAlphaDropout(p=0.5, inplace=False)'],
      [new nn.SELU(), 'SELU()'],
      [new nn.CTCLoss(), 'CTCLoss()'],
      [new nn.ParameterList([ones([2, 3])]), 'ParameterList(  (0): Parameter containing: [torch.float32 of size 2x3])'],
      [
        new nn.ParameterList([ones([2, 3]), ones([4])]),
        'ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n    (1): Parameter containing: [torch.float32 of size 4]\n)',
      ],
      [
        new nn.ParameterDict({ a: ones([2, 3]), b: ones([4]) }),
        'ParameterDict(\n    (a): Parameter containing: [torch.FloatTensor of size 2x3]\n    (b): Parameter containing: [torch.FloatTensor of size 4]\n)',
      ],
    ];
    for (const [m, text] of expected) expect(m.toString()).toBe(text);
  });
});

describe('constructor forms', () => {
  it('PReLU and LocalResponseNorm take PyTorch positional arguments or a keyword object', () => {
    expectClose(new nn.PReLU(3, 0.1).weight, [0.1, 0.1, 0.1]);
    expectClose(new nn.PReLU({ numParameters: 2, init: -0.5 }).weight, [-0.5, -0.5]);
    expectClose(new nn.PReLU().weight, [0.25]);
    const a = new nn.LocalResponseNorm(3, 0.1, 0.5, 2);
    const b = new nn.LocalResponseNorm(3, { alpha: 0.1, beta: 0.5, k: 2 });
    expect([a.alpha, a.beta, a.k]).toEqual([0.1, 0.5, 2]);
    expect([b.alpha, b.beta, b.k]).toEqual([0.1, 0.5, 2]);
  });
});

describe('EmbeddingBag.fromPretrained', () => {
  it('holds the given rows (frozen by default) and bags them', () => {
    const w = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const bag = nn.EmbeddingBag.fromPretrained(w, { mode: 'sum' });
    expect(bag.weight.requiresGrad).toBe(false);
    const out = bag.forward(tensor([0, 2, 1], { dtype: 'int32' }), tensor([0, 2], { dtype: 'int32' }));
    expectClose(out, [6, 8, 3, 4]);
    expect(nn.EmbeddingBag.fromPretrained(w, { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it('1-D input with offsets agrees with the same bags as 2-D rows (every mode, values and gradients)', () => {
    manualSeed(8);
    const [B, L, n] = [50, 7, 30];
    const indices = randint(0, n, [B, L]);
    const offsets = arange(0, B * L, L, { dtype: 'int32' });
    for (const mode of ['sum', 'mean', 'max'] as const) {
      const w1 = randn(n, 4, { requiresGrad: true });
      const w2 = w1.detach().clone().requiresGrad_(true);
      const a = F.embeddingBag(indices, w1, { mode, paddingIdx: 3 });
      const b = F.embeddingBag(indices.reshape([B * L]), w2, { mode, offsets, paddingIdx: 3 });
      expectClose(b, a, 1e-5, 1e-6, mode);
      const cot = randn(B, 4);
      a.mul(cot).sum().backward();
      b.mul(cot).sum().backward();
      expectClose(w2.grad!, w1.grad!, 1e-5, 1e-6, `${mode} grad`);
    }
  });
});

describe('errors name what was wrong', () => {
  it('shapes and options', () => {
    expect(() => F.groupNorm(randn(2, 6, 3), 4)).toThrow(/divisible by num_groups.*\[2, 6, 3\].*num_groups=4/);
    expect(() => F.glu(randn(2, 5))).toThrow(/Halving dimension must be even, but dimension 1 is size 5/);
    expect(() => F.prelu(randn(2, 4), ones([3]))).toThrow(/parameter numbers = 3 and channel size = 4/);
    expect(() => F.bilinear(randn(2, 3), randn(2, 4), randn(5, 3, 2))).toThrow(/must end in 3 and 2/);
    expect(() =>
      F.embeddingBag(tensor([[0, 1]], { dtype: 'int32' }), randn(3, 2), { offsets: tensor([0], { dtype: 'int32' }) }),
    ).toThrow(/if input is 2D, then offsets has to be None/);
    expect(() =>
      F.embeddingBag(tensor([0, 1], { dtype: 'int32' }), randn(3, 2), {
        offsets: tensor([0], { dtype: 'int32' }),
        mode: 'mean',
        perSampleWeights: ones([2]),
      }),
    ).toThrow(/only supported for mode='sum'/);
    expect(() => F.multiMarginLoss(randn(2, 3), tensor([0, 1], { dtype: 'int32' }), { p: 3 })).toThrow(
      /only p == 1 and p == 2/,
    );
    expect(() => F.gaussianNllLoss(randn(2, 3), randn(2, 3), ones([3]))).toThrow(/var is of incorrect size: \[3\]/);
    expect(() => F.ctcLoss(randn(4, 2, 3), tensor([[1], [2]], { dtype: 'int32' }), [5, 4], [1, 1])).toThrow(
      /input_lengths to have value at most 4, but got value 5/,
    );
    expect(() => new nn.InstanceNorm1d(3, { affine: true })(randn(2, 4, 5))).toThrow(
      /match num_features \(3\), but got: 4/,
    );
    expect(() => F.localResponseNorm(randn(2, 3), 2)).toThrow(
      /Expected 3D or higher dimensionality input \(got 2 dimensions/,
    );
  });
});

describe('no memory growth', () => {
  it('a CTC training step frees what it made', () => {
    manualSeed(7);
    const logits = randn(6, 2, 4, { requiresGrad: true });
    const step = () =>
      tidy(() => {
        const loss = F.ctcLoss(
          logits.logSoftmax(2),
          tensor(
            [
              [1, 2],
              [3, 3],
            ],
            { dtype: 'int32' },
          ),
          [6, 5],
          [2, 2],
        );
        loss.backward();
      });
    step();
    logits.grad = null;
    const before = memory().handles;
    step();
    logits.grad!.dispose();
    logits.grad = null;
    expect(memory().handles).toBe(before);
  });
});
