import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { nn, tensor, type Tensor, randn, manualSeed, ones, zeros, noGrad, arange, tidy, memory } from '../index.js';
import { loadModuleFixtures, runModuleFixture, type HostTensor, type ModuleFixture } from '@flint/conformance';
import * as api from '../index.js';
import { expectClose, gradcheck } from './test-helpers.js';

const F = nn.functional;

// The cases, their module builders and the runner live in @flint/conformance (src/modules/), which
// every backend's test files also run; here on cpu, through core's source.
describe('layers against PyTorch fixtures (modules.json)', () => {
  for (const c of loadModuleFixtures('modules.json')) {
    it(c.name, () => runModuleFixture(api, c));
  }

  it('the shared runner rejects a wrong output, gradient, running statistic, state key or device', async () => {
    const cases = loadModuleFixtures('modules.json');
    const find = (name: string): ModuleFixture => cases.find((c) => c.name === name)!;
    const nudged = (t: HostTensor): HostTensor => {
      const data = Float64Array.from(t.data);
      data[0] = data[0]! + 1e-2;
      return { ...t, data };
    };
    const linear = find('Linear(4, 3)');
    const bn = find('BatchNorm1d(3) train on [4, 3]');
    await expect(runModuleFixture(api, linear, undefined, 'cpu')).resolves.toBeUndefined();
    await expect(runModuleFixture(api, { ...linear, outputs: [nudged(linear.outputs[0]!)] })).rejects.toThrow(
      /output 0/,
    );
    await expect(runModuleFixture(api, { ...linear, inputGrads: [nudged(linear.inputGrads[0]!)] })).rejects.toThrow(
      /input grad 0/,
    );
    const paramGrads = { ...linear.paramGrads, bias: nudged(linear.paramGrads.bias!) };
    await expect(runModuleFixture(api, { ...linear, paramGrads })).rejects.toThrow(/grad of bias/);
    const stateAfter = { ...bn.stateAfter, running_var: nudged(bn.stateAfter.running_var!) };
    await expect(runModuleFixture(api, { ...bn, stateAfter })).rejects.toThrow(/state running_var after the forward/);
    const { bias, ...withoutBias } = linear.state;
    await expect(runModuleFixture(api, { ...linear, state: { ...withoutBias, b: bias! } })).rejects.toThrow(
      /state_dict keys/,
    );
    await expect(runModuleFixture(api, linear, undefined, 'elsewhere')).rejects.toThrow(
      /on device 'cpu', expected 'elsewhere'/,
    );
  });
});

describe('layers by hand', () => {
  it('Linear forward and gradients (finite differences), with and without bias', () => {
    manualSeed(0);
    const lin = new nn.Linear(3, 2);
    const x = randn(4, 3, { requiresGrad: true });
    const y = lin(x) as Tensor;
    const w = lin.weight.tolist() as number[][];
    const b = lin.bias!.tolist() as number[];
    const xv = x.tolist() as number[][];
    expectClose(
      y,
      xv.flatMap((r) => w.map((wr, o) => wr.reduce((s, v, i) => s + v * r[i]!, b[o]!))),
    );
    const cot = randn(4, 2);
    gradcheck(() => (lin(x) as Tensor).mul(cot).sum(), [x, lin.weight, lin.bias!]);
    const nb = new nn.Linear(3, 2, false);
    expect(nb.bias).toBeNull();
    expect(Object.keys(nb.stateDict())).toEqual(['weight']);
    expect(() => lin(randn(4, 5))).toThrow(/cannot be multiplied/);
  });

  it('Conv2d: default init bounds, padding same/valid, dilation, groups, gradients', () => {
    manualSeed(1);
    const conv = new nn.Conv2d(4, 6, [3, 2], { padding: 'same', dilation: 2, groups: 2 });
    expect([...conv.weight.shape]).toEqual([6, 2, 3, 2]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const p of [conv.weight, conv.bias!])
      expect(Math.max(...Array.from(p.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    const x = randn(2, 4, 5, 6, { requiresGrad: true });
    expect([...(conv(x) as Tensor).shape]).toEqual([2, 6, 5, 6]);
    const valid = new nn.Conv2d(4, 2, 3, { padding: 'valid', stride: 2, bias: false });
    expect([...(valid(x) as Tensor).shape]).toEqual([2, 2, 2, 2]);
    // one output by hand: group 0 sees input channels 0-1
    const small = new nn.Conv2d(1, 1, 2, { bias: false });
    noGrad(() =>
      small.weight.copy_(
        tensor([
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ]),
      ),
    );
    const img = arange(9).reshape(1, 1, 3, 3);
    expectClose(small(img) as Tensor, [0 + 2 + 9 + 16, 1 + 4 + 12 + 20, 3 + 8 + 18 + 28, 4 + 10 + 21 + 32]);
    const cx = randn(1, 4, 4, 3, { requiresGrad: true });
    const cot = randn(1, 6, 4, 3);
    gradcheck(() => (conv(cx) as Tensor).mul(cot).sum(), [cx, conv.bias!]);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(2, 4, 3, { padding: 'same', stride: 2 })).toThrow(/not supported for strided/);
  });

  it('MaxPool2d / AvgPool2d forward and gradients', () => {
    const x = tensor(
      [
        [
          [
            [1, 5, 2, 0],
            [3, 4, 8, 1],
            [0, 2, 6, 7],
            [9, 1, 3, 2],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    const mp = new nn.MaxPool2d(2);
    const y = mp(x) as Tensor;
    expectClose(y, [5, 8, 9, 7]);
    y.sum().backward();
    expectClose(x.grad!, [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    const ap = new nn.AvgPool2d(2, { stride: 1 });
    expectClose(ap(x) as Tensor, [13 / 4, 19 / 4, 11 / 4, 9 / 4, 20 / 4, 22 / 4, 12 / 4, 12 / 4, 18 / 4]);
    const z = randn(2, 3, 5, 5, { requiresGrad: true });
    const cot = randn(2, 3, 3, 3);
    gradcheck(
      () => (new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false })(z) as Tensor).mul(cot).sum(),
      [z],
    );
    const withIdx = new nn.MaxPool2d(2, { returnIndices: true })(x) as { values: Tensor; indices: Tensor };
    expect(Array.from(withIdx.indices.dataSync())).toEqual([1, 6, 12, 11]);
    expect(mp.toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
  });

  it('activations: values and gradients', () => {
    const x = tensor([-2, -0.5, 0.3, 1.5, 3]);
    const xs = [-2, -0.5, 0.3, 1.5, 3];
    const erf = (v: number): number => {
      // Abramowitz-Stegun 7.1.26 is too coarse; integrate the series instead
      let sum = v;
      let term = v;
      for (let n = 1; n < 60; n++) {
        term *= (-v * v) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const cases: [nn.Module, (v: number) => number][] = [
      [new nn.ReLU(), (v) => Math.max(v, 0)],
      [new nn.ReLU6(), (v) => Math.min(Math.max(v, 0), 6)],
      [new nn.Sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
      [new nn.Tanh(), Math.tanh],
      [new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
      [new nn.GELU('tanh'), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      [new nn.LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
      [new nn.SiLU(), (v) => v / (1 + Math.exp(-v))],
      [new nn.ELU(), (v) => (v > 0 ? v : Math.expm1(v))],
      [new nn.Softplus(), (v) => Math.log1p(Math.exp(v))],
      [new nn.Hardtanh(), (v) => Math.min(Math.max(v, -1), 1)],
      [new nn.Identity(), (v) => v],
    ];
    for (const [m, f] of cases) {
      expectClose(m(x) as Tensor, xs.map(f), 1e-5, 1e-6, m.toString());
      const xg = x.detach().requiresGrad_();
      gradcheck(() => (m(xg) as Tensor).mul(tensor([1, -2, 3, 0.5, 1])).sum(), [xg], { eps: 1e-3 });
    }
    const s = tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e.reduce((a, b) => a + b);
    expectClose(new nn.Softmax(1)(s) as Tensor, [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3]);
    expectClose(new nn.LogSoftmax(1)(s) as Tensor, [
      ...e.map((v) => Math.log(v / z)),
      -Math.log(3),
      -Math.log(3),
      -Math.log(3),
    ]);
    // PyTorch's legacy implicit dim: 1 for 2-D input, 0 for 3-D
    expectClose(new nn.Softmax()(s) as Tensor, new nn.Softmax(1)(s) as Tensor);
    const s3 = randn(2, 3, 4);
    expectClose(new nn.Softmax()(s3) as Tensor, s3.softmax(0));
    expect(new nn.LeakyReLU(0.2).toString()).toBe('LeakyReLU(negative_slope=0.2)');
    expect(new nn.GELU('tanh').toString()).toBe("GELU(approximate='tanh')");
    expectClose(F.gelu(x, 'tanh'), new nn.GELU('tanh')(x) as Tensor);
    expect(() => F.gelu(x, 'fast' as 'tanh')).toThrow("approximate argument must be either none or tanh (got 'fast')");
    expect(new nn.Softmax(1).toString()).toBe('Softmax(dim=1)');
  });

  it('Dropout: seeded mask, 1/(1-p) scaling, identity in eval, p validated, gradient through the mask', () => {
    manualSeed(7);
    const d = new nn.Dropout(0.25);
    const x = ones(4000, { requiresGrad: true });
    const y = d(x) as Tensor;
    const v = Array.from(y.dataSync());
    const kept = v.filter((a) => a !== 0);
    expect(kept.every((a) => Math.abs(a - 4 / 3) < 1e-6)).toBe(true);
    expect(kept.length / v.length).toBeGreaterThan(0.72);
    expect(kept.length / v.length).toBeLessThan(0.78);
    y.sum().backward();
    expectClose(x.grad!, v);
    manualSeed(7);
    expectClose(d(ones(4000)) as Tensor, v); // same seed, same mask
    d.eval();
    expect(d(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
    expectClose(F.dropout(ones(3), 1, true), [0, 0, 0]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
  });

  it('Flatten / Unflatten', () => {
    const x = randn(2, 3, 4, 5);
    expect([...(new nn.Flatten()(x) as Tensor).shape]).toEqual([2, 60]);
    expect([...(new nn.Flatten(0, 2)(x) as Tensor).shape]).toEqual([24, 5]);
    expect([...(new nn.Unflatten(1, [3, 20])(new nn.Flatten()(x)) as Tensor).shape]).toEqual([2, 3, 20]);
    expect(new nn.Unflatten(1, [2, 5]).toString()).toBe('Unflatten(dim=1, unflattened_size=(2, 5))');
  });

  it('Embedding: lookup, padding row zero without gradient, N(0,1) init', () => {
    manualSeed(0);
    const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
    expectClose(emb.weight.index(0), [0, 0, 0]);
    const idx = tensor(
      [
        [1, 0],
        [1, 9],
      ],
      { dtype: 'int32' },
    );
    const out = emb(idx) as Tensor;
    expect([...out.shape]).toEqual([2, 2, 3]);
    const w = emb.weight.tolist() as number[][];
    expectClose(out, [...w[1]!, ...w[0]!, ...w[1]!, ...w[9]!]);
    out
      .mul(arange(12).reshape(2, 2, 3))
      .sum()
      .backward();
    const g = emb.weight.grad!.tolist() as number[][];
    expect(g[0]).toEqual([0, 0, 0]);
    expect(g[1]).toEqual([0 + 6, 1 + 7, 2 + 8]);
    expect(g[9]).toEqual([9, 10, 11]);
    expect(() => emb(tensor([1, 2]))).toThrow(/dtype int32/);
    const big = new nn.Embedding(1000, 10);
    const vals = Array.from(big.weight.dataSync());
    const mean = vals.reduce((a, b) => a + b) / vals.length;
    const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const frozen = nn.Embedding.fromPretrained(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(frozen.weight.requiresGrad).toBe(false);
    expectClose(frozen(tensor([1], { dtype: 'int32' })) as Tensor, [3, 4]);
  });

  it('BatchNorm: momentum null is a cumulative average; eval uses running stats; trackRunningStats=false', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    const a = tensor([
      [1, 2],
      [3, 6],
    ]);
    const b = tensor([
      [5, 0],
      [7, 0],
    ]);
    bn(a);
    bn(b);
    expectClose(bn.running_mean!, [(2 + 6) / 2, (4 + 0) / 2]);
    expectClose(bn.running_var!, [(2 + 2) / 2, (8 + 0) / 2]);
    expect(bn.num_batches_tracked!.item()).toBe(2);
    bn.eval();
    expectClose(bn(tensor([[4, 2]])) as Tensor, [0, 0], 1e-5, 1e-5);
    const nt = new nn.BatchNorm2d(3, { trackRunningStats: false, affine: false });
    expect(Object.keys(nt.stateDict())).toEqual([]);
    nt.eval();
    const x = randn(2, 3, 2, 2);
    const y = nt(x) as Tensor;
    expectClose(y.mean([0, 2, 3]), [0, 0, 0], 1e-5, 1e-5);
    expect(() => nt(randn(2, 3))).toThrow('expected 4D input (got 2D input of shape [2, 3])');
    expect(() => new nn.BatchNorm1d(3)(randn(1, 3))).toThrow(
      'Expected more than 1 value per channel when training, got input size [1, 3]',
    );
    expect(new nn.BatchNorm2d(3).toString()).toBe(
      'BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    );
    expect(new nn.LayerNorm(4).toString()).toBe('LayerNorm((4,), eps=1e-05, elementwise_affine=True)');
  });

  it('LSTM / GRU: bidirectional shapes, unbatched input, given initial state, gradients', () => {
    manualSeed(0);
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    expect(
      lstm
        .namedParameters()
        .map(([k]) => k)
        .slice(0, 8),
    ).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
    ]);
    expect([...lstm.getParameter('weight_ih_l1').shape]).toEqual([16, 8]);
    const x = randn(2, 5, 3);
    const [out, [h, c]] = lstm.forward(x);
    expect([...out.shape]).toEqual([2, 5, 8]);
    expect([...h.shape]).toEqual([4, 2, 4]);
    expect([...c.shape]).toEqual([4, 2, 4]);
    // the last forward step and the first backward step are the final states of the top layer
    expectClose(out.select(1, 4).narrow(1, 0, 4), h.select(0, 2));
    expectClose(out.select(1, 0).narrow(1, 4, 4), h.select(0, 3));
    // unbatched equals batch of one
    const [u] = lstm.forward(x.select(0, 1).unsqueeze(0).squeeze(0).reshape(5, 3).unsqueeze(0));
    expectClose(u.squeeze(0), out.select(0, 1));
    const gru = new nn.GRU(2, 3);
    const xs = randn(4, 1, 2, { requiresGrad: true });
    const h0 = randn(1, 1, 3, { requiresGrad: true });
    const cot = randn(4, 1, 3);
    gradcheck(() => gru.forward(xs, h0)[0].mul(cot).sum(), [xs, h0, gru.weight_hh_l0]);
    const [uo, uh] = gru.forward(randn(4, 2));
    expect([[...uo.shape], [...uh.shape]]).toEqual([
      [4, 3],
      [1, 3],
    ]);
    expect(() => gru.forward(randn(4, 1, 2), randn(2, 1, 3))).toThrow('Expected hidden size [1, 1, 3], got [2, 1, 3]');
    expect(new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true }).toString()).toBe(
      'LSTM(3, 4, num_layers=2, batch_first=True)',
    );
  });

  it('MultiheadAttention masks and TransformerEncoderLayer composition', () => {
    manualSeed(0);
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    expect(Object.keys(mha.stateDict())).toEqual([
      'in_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    const x = randn(2, 3, 4);
    const [, wCausal] = mha.forward(x, x, x, { isCausal: true });
    const wc = wCausal!.tolist() as number[][][];
    expect(wc[0]![0]![1]).toBe(0);
    expect(wc[1]![1]![2]).toBe(0);
    expectClose(wCausal!.sum(-1), ones(2, 3));
    const [, wPad] = mha.forward(x, x, x, {
      keyPaddingMask: tensor([
        [false, false, true],
        [false, true, true],
      ]),
    });
    const wp = wPad!.tolist() as number[][][];
    expect([wp[0]![2]![2], wp[1]![0]![1], wp[1]![2]![2]]).toEqual([0, 0, 0]);
    expectClose(
      wp[1]!.map((r) => r[0]!),
      [1, 1, 1],
    );
    const [o, none] = mha.forward(x, x, x, { needWeights: false });
    expect(none).toBeNull();
    expect([...o.shape]).toEqual([2, 3, 4]);

    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, batchFirst: true });
    expect(Object.keys(layer.stateDict())).toEqual([
      'self_attn.in_proj_weight',
      'self_attn.in_proj_bias',
      'self_attn.out_proj.weight',
      'self_attn.out_proj.bias',
      'linear1.weight',
      'linear1.bias',
      'linear2.weight',
      'linear2.bias',
      'norm1.weight',
      'norm1.bias',
      'norm2.weight',
      'norm2.bias',
    ]);
    const y = layer(x) as Tensor;
    const sa = layer.self_attn.forward(x, x, x)[0];
    const h = F.layerNorm(x.add(sa), [4], layer.norm1.weight, layer.norm1.bias);
    const ff = layer.linear2(F.relu(layer.linear1(h) as Tensor)) as Tensor;
    expectClose(y, F.layerNorm(h.add(ff), [4], layer.norm2.weight, layer.norm2.bias), 1e-5, 1e-5);
    const pre = new nn.TransformerEncoderLayer(4, 2, {
      dimFeedforward: 8,
      dropout: 0,
      batchFirst: true,
      normFirst: true,
      activation: 'gelu',
    });
    const xg = x.detach().requiresGrad_();
    const cot = randn(2, 3, 4);
    gradcheck(() => (pre(xg) as Tensor).mul(cot).sum(), [xg], { eps: 1e-2 });
  });
});

describe('memory', () => {
  it('a training step through every layer leaves no tensors behind', () => {
    manualSeed(0);
    class Everything extends nn.Module {
      conv = new nn.Conv2d(1, 2, 3, { padding: 1 });
      bn = new nn.BatchNorm2d(2);
      pool = new nn.MaxPool2d(2);
      flat = new nn.Flatten(2);
      lstm = new nn.LSTM(4, 4, { batchFirst: true, bidirectional: true, numLayers: 2, dropout: 0.1 });
      enc = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
      ln = new nn.LayerNorm(8);
      drop = new nn.Dropout(0.3);
      head = new nn.Linear(8, 3);
      override forward(x: Tensor): Tensor {
        let h = this.flat(this.pool(this.bn(this.conv(x)))) as Tensor; // [N, 2, 4]
        h = this.lstm.forward(h)[0]; // [N, 2, 8]
        h = this.drop(this.ln(this.enc(h))) as Tensor;
        return this.head(h.mean(1)) as Tensor;
      }
    }
    const model = new Everything();
    const x = randn(3, 1, 4, 4);
    const y = tensor([0, 2, 1], { dtype: 'int32' });
    const step = (): void =>
      tidy(() => {
        model.zeroGrad();
        F.crossEntropy(model(x) as Tensor, y).backward();
      });
    step();
    const before = memory().handles;
    step();
    step();
    expect(memory().handles).toBe(before);
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe('init and utils', () => {
  it('calculateGain, fans and the initializers follow PyTorch formulas', () => {
    expect(nn.init.calculateGain('linear')).toBe(1);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3);
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    expect(nn.init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.0001)));
    expect(nn.init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3));
    expect(nn.init.calculateGain('selu')).toBe(0.75);
    expect(() => nn.init.calculateGain('swish' as 'relu')).toThrow('Unsupported nonlinearity swish');
    expect(nn.init.calculateFanInAndFanOut(zeros(6, 4, 3, 3))).toEqual([36, 54]);
    expect(() => nn.init.xavierUniform_(zeros(3))).toThrow(/fewer than 2 dimensions/);
    manualSeed(0);
    const stats = (t: Tensor): [number, number, number] => {
      const v = Array.from(t.dataSync());
      const m = v.reduce((a, b) => a + b) / v.length;
      return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length), Math.max(...v.map(Math.abs))];
    };
    const w = zeros(200, 300);
    const [, sx, mx] = stats(nn.init.xavierUniform_(w, 2));
    const a = 2 * Math.sqrt(6 / 500);
    expect(mx).toBeLessThanOrEqual(a);
    expect(sx).toBeCloseTo(a / Math.sqrt(3), 2);
    expect(stats(nn.init.xavierNormal_(w))[1]).toBeCloseTo(Math.sqrt(2 / 500), 2);
    expect(stats(nn.init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' }))[1]).toBeCloseTo(
      Math.sqrt(2 / 200),
      2,
    );
    const [, sk, mk] = stats(nn.init.kaimingUniform_(w, { nonlinearity: 'relu' }));
    expect(mk).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    expect(sk).toBeCloseTo(Math.sqrt(2 / 300), 2);
    const [mn, sn] = stats(nn.init.normal_(w, 1, 0.5));
    expect(mn).toBeCloseTo(1, 1);
    expect(sn).toBeCloseTo(0.5, 2);
    const [, , mt] = stats(nn.init.truncNormal_(w, 0, 1, -0.5, 0.5));
    expect(mt).toBeLessThanOrEqual(0.5);
    expectClose(nn.init.eye_(zeros(2, 3)), [1, 0, 0, 0, 1, 0]);
    expectClose(nn.init.ones_(zeros(2)), [1, 1]);
    // in place on a parameter, no graph
    const p = new nn.Parameter(zeros(2, 2));
    expect(nn.init.uniform_(p, -1, 1)).toBe(p);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
  });

  it('clipGradNorm_ and clipGradValue_', () => {
    const a = new nn.Parameter(zeros(2));
    const b = new nn.Parameter(zeros(2));
    a.grad = tensor([3, 0]);
    b.grad = tensor([0, 4]);
    const total = nn.utils.clipGradNorm_([a, b], 1);
    expectClose(total, [5]);
    expectClose(a.grad, [3 / 5, 0], 1e-5, 1e-6);
    expectClose(b.grad, [0, 4 / 5], 1e-5, 1e-6);
    // no clipping below the max
    nn.utils.clipGradNorm_([a, b], 10);
    expectClose(a.grad, [3 / 5, 0], 1e-5, 1e-6);
    a.grad = tensor([3, -7]);
    b.grad = tensor([1, 2]);
    expectClose(nn.utils.clipGradNorm_([a, b], 3.5, Infinity), [7]);
    expectClose(a.grad, [1.5, -3.5], 1e-5, 1e-6);
    a.grad = tensor([Infinity, 1]);
    expect(() => nn.utils.clipGradNorm_(a, 1, 2, true)).toThrow(/non-finite/);
    b.grad = tensor([-3, 0.25]);
    nn.utils.clipGradValue_([b], 0.5);
    expectClose(b.grad, [-0.5, 0.25]);
    const lin = new nn.Linear(2, 2);
    const vec = nn.utils.parametersToVector(lin.parameters());
    expect([...vec.shape]).toEqual([6]);
    nn.utils.vectorToParameters(arange(6), lin.parameters());
    expectClose(lin.bias!, [4, 5]);
  });

  it('clipGradNorm_ inside a tidy() step leaves nothing behind (its norm was kept: one handle per step)', () => {
    const a = new nn.Parameter(zeros(2));
    a.grad = tensor([3, 4]);
    const before = memory().handles;
    for (let step = 0; step < 3; step++) tidy(() => nn.utils.clipGradNorm_([a], 1).item());
    expect(memory().handles).toBe(before);
    a.grad = tensor([Infinity, 1]);
    const beforeError = memory().handles;
    expect(() => nn.utils.clipGradNorm_(a, 1, 2, true)).toThrow(/non-finite/);
    expect(memory().handles).toBe(beforeError);
  });
});
