import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { nn, tensor, type Tensor, randn, manualSeed, zeros } from '../index.js';
import { loadOpFixtures } from '@flint/conformance';
import { decode, expectClose, gradcheck } from './test-helpers.js';

const F = nn.functional;

type LossFn = (input: Tensor, target: Tensor, options: Record<string, unknown>) => Tensor;
const LOSSES: Record<string, LossFn> = {
  'F.mse_loss': F.mseLoss,
  'F.l1_loss': F.l1Loss,
  'F.cross_entropy': F.crossEntropy,
  'F.nll_loss': F.nllLoss,
  'F.binary_cross_entropy': F.binaryCrossEntropy,
  'F.binary_cross_entropy_with_logits': F.binaryCrossEntropyWithLogits,
};

function translate(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

const cases = loadOpFixtures().filter((c) => c.op in LOSSES);

describe('losses against PyTorch fixtures', () => {
  it('covers every loss', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(LOSSES)));
  });
  for (const c of cases) {
    it(c.name, () => {
      const inputs = c.inputs.map((e) => decode(e, e.dtype === 'float32'));
      const out = LOSSES[c.op]!(inputs[0]!, inputs[1]!, translate(c.args));
      expectClose(out, c.outputs[0]!, 1e-4, 1e-5, 'output');
      if (c.cotangents.length > 0) {
        out.mul(decode(c.cotangents[0]!)).sum().backward();
        c.grads.forEach((g, i) => {
          if (g !== null) expectClose(inputs[i]!.grad!, g, 1e-4, 1e-5, `grad ${i}`);
        });
      }
    });
  }
});

describe('losses by hand', () => {
  it("crossEntropy with class weights: weighted mean divides by the targets' weights", () => {
    const x = tensor([
      [1, 2, 3],
      [1, 0, -1],
    ]);
    const t = tensor([2, 0], { dtype: 'int32' });
    const w = tensor([0.5, 1, 2]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const l0 = lse([1, 2, 3]) - 3;
    const l1 = lse([1, 0, -1]) - 1;
    expectClose(F.crossEntropy(x, t, { weight: w }), [(2 * l0 + 0.5 * l1) / 2.5]);
    expectClose(F.crossEntropy(x, t, { weight: w, reduction: 'sum' }), [2 * l0 + 0.5 * l1]);
    expectClose(F.crossEntropy(x, t, { weight: w, reduction: 'none' }), [2 * l0, 0.5 * l1]);
    // label smoothing with weights (PyTorch's formula)
    const eps = 0.3;
    const logp0 = [1, 2, 3].map((v) => v - lse([1, 2, 3]));
    const logp1 = [1, 0, -1].map((v) => v - lse([1, 0, -1]));
    const wv = [0.5, 1, 2];
    const smooth = (lp: number[]): number => -lp.reduce((s, v, c) => s + wv[c]! * v, 0);
    const expected = (1 - eps) * ((2 * l0 + 0.5 * l1) / 2.5) + (eps / 3) * ((smooth(logp0) + smooth(logp1)) / 2.5);
    expectClose(F.crossEntropy(x, t, { weight: w, labelSmoothing: eps }), [expected]);
    // unbatched input [C] with a 0-d target
    expectClose(F.crossEntropy(tensor([1, 2, 3]), tensor(2, { dtype: 'int32' })), [l0]);
  });

  it('crossEntropy with probability targets (and weights, smoothing)', () => {
    const x = tensor([
      [1, 2, 3],
      [1, 0, -1],
    ]);
    const p = tensor([
      [0.2, 0.3, 0.5],
      [1, 0, 0],
    ]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const lp = [[1, 2, 3].map((v) => v - lse([1, 2, 3])), [1, 0, -1].map((v) => v - lse([1, 0, -1]))];
    const pv = [
      [0.2, 0.3, 0.5],
      [1, 0, 0],
    ];
    const w = [0.5, 1, 2];
    const per = (i: number, eps = 0, wt = [1, 1, 1]): number =>
      -lp[i]!.reduce((s, v, c) => s + wt[c]! * v * (pv[i]![c]! * (1 - eps) + eps / 3), 0);
    expectClose(F.crossEntropy(x, p), [(per(0) + per(1)) / 2]);
    expectClose(F.crossEntropy(x, p, { reduction: 'none' }), [per(0), per(1)]);
    expectClose(F.crossEntropy(x, p, { weight: tensor(w), labelSmoothing: 0.1 }), [
      (per(0, 0.1, w) + per(1, 0.1, w)) / 2,
    ]);
  });

  it('crossEntropy: a float class-index target is a clear error; shapes are named', () => {
    const x = randn(4, 3);
    expect(() => F.crossEntropy(x, tensor([0, 1, 2, 1]))).toThrow(
      'crossEntropy: expected target of dtype int32 (class indices) with shape [4], got float32 [4] for input of shape [4, 3] (class-index targets must be int32',
    );
    expect(() => F.crossEntropy(x, zeros(4, 5))).toThrow(
      'crossEntropy: expected target of dtype int32 (class indices) with shape [4], got float32 [4, 5] for input of shape [4, 3] (pass probabilities with the same shape as input, [4, 3])',
    );
    expect(() => F.crossEntropy(x, tensor([0, 1], { dtype: 'int32' }))).toThrow(
      'crossEntropy: expected target of shape [4] (class indices) or [4, 3] (probabilities) for input of shape [4, 3], got int32 target of shape [2]',
    );
    expect(() => F.crossEntropy(x, tensor([0, 1, 2, 1], { dtype: 'int32' }), { weight: tensor([1, 2]) })).toThrow(
      /defined either for all 3 classes/,
    );
    expect(() => F.crossEntropy(x, tensor([0, 1, 2, 1], { dtype: 'int32' }), { reduction: 'avg' as 'mean' })).toThrow(
      'avg is not a valid value for reduction',
    );
    expect(() => F.nllLoss(x, tensor([0, 1, 2, 1]))).toThrow(
      /nllLoss: expected target of dtype int32 \(class indices\) with shape \[4\], got float32 \[4\]/,
    );
  });

  it('out-of-range class indices give NaN (no readback); ignored ones are left out', () => {
    const x = randn(3, 4);
    expect(Number.isNaN(F.crossEntropy(x, tensor([0, 4, 1], { dtype: 'int32' })).item())).toBe(true);
    expect(Number.isNaN(F.crossEntropy(x, tensor([0, -3, 1], { dtype: 'int32' })).item())).toBe(true);
    const kept = F.crossEntropy(
      x.indexSelect(0, tensor([0, 2], { dtype: 'int32' })),
      tensor([0, 1], { dtype: 'int32' }),
    ).item();
    expectClose([F.crossEntropy(x, tensor([0, -100, 1], { dtype: 'int32' })).item()], [kept]);
    // every target ignored: 0/0 like PyTorch
    expect(Number.isNaN(F.crossEntropy(x, tensor([-100, -100, -100], { dtype: 'int32' })).item())).toBe(true);
  });

  it('binary cross entropy: weights, log clamped at -100, size mismatch names both shapes', () => {
    const p = tensor([0, 1, 0.25]);
    const t = tensor([1, 1, 0]);
    expectClose(F.binaryCrossEntropy(p, t, { reduction: 'none' }), [100, 0, -Math.log(0.75)], 1e-5, 1e-5);
    expectClose(
      F.binaryCrossEntropy(p, t, { weight: tensor([1, 2, 4]), reduction: 'sum' }),
      [100 - 4 * Math.log(0.75)],
      1e-5,
    );
    expect(() => F.binaryCrossEntropy(tensor([0.5, 0.5]), tensor([[1, 0]]))).toThrow(
      'binaryCrossEntropy: Using a target size ([1, 2]) that is different to the input size ([2]) is deprecated. Please ensure they have the same size.',
    );
    expect(() => F.binaryCrossEntropyWithLogits(tensor([0.5, 0.5]), tensor([1, 0, 1]))).toThrow(
      /target size \(\[3\]\).*input size \(\[2\]\)/,
    );
    expect(() => F.mseLoss(tensor([0.5, 0.5]), tensor([1, 0, 1]))).toThrow(
      'mseLoss: The size of input [2] and target [3] must match (or broadcast).',
    );
    expect(() => F.mseLoss(tensor([1, 2]), tensor([1, 2], { dtype: 'int32' }))).toThrow(
      'mseLoss: expected target of dtype float32, got int32',
    );
  });

  it('binaryCrossEntropyWithLogits with posWeight and weight; stable for large logits', () => {
    const x = tensor([
      [-2, 0.5],
      [3, 200],
    ]);
    const y = tensor([
      [1, 0],
      [0.3, 1],
    ]);
    const pw = tensor([2, 0.5]);
    const w = tensor([1, 3]);
    const sp = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const xv = [-2, 0.5, 3, 200];
    const yv = [1, 0, 0.3, 1];
    const pwv = [2, 0.5, 2, 0.5];
    const wv = [1, 3, 1, 3];
    const expected = xv.map((xi, i) => wv[i]! * ((1 - yv[i]!) * xi + (1 + (pwv[i]! - 1) * yv[i]!) * sp(-xi)));
    expectClose(F.binaryCrossEntropyWithLogits(x, y, { posWeight: pw, weight: w, reduction: 'none' }), expected);
    const xg = x.detach().requiresGrad_();
    gradcheck(() => F.binaryCrossEntropyWithLogits(xg.mul(0.1), y, { posWeight: pw, weight: w }), [xg]);
  });

  it('loss modules mirror the functions and PyTorch kwargs', () => {
    manualSeed(0);
    const x = randn(5, 4);
    const t = tensor([0, 3, 1, 1, 2], { dtype: 'int32' });
    const w = tensor([1, 2, 3, 4]);
    const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, ignoreIndex: 1 });
    expectClose(ce(x, t) as Tensor, F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1, ignoreIndex: 1 }));
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expectClose(
      new nn.NLLLoss({ reduction: 'sum' })(x.logSoftmax(1), t) as Tensor,
      F.nllLoss(x.logSoftmax(1), t, { reduction: 'sum' }),
    );
    const y = randn(5, 4);
    expectClose(new nn.MSELoss({ reduction: 'none' })(x, y) as Tensor, x.sub(y).square());
    expectClose(new nn.L1Loss()(x, y) as Tensor, [x.sub(y).abs().mean().item()]);
    const p = x.sigmoid();
    const q = y.sigmoid();
    expectClose(new nn.BCELoss()(p, q) as Tensor, F.binaryCrossEntropy(p, q));
    const bcel = new nn.BCEWithLogitsLoss({ posWeight: tensor([1, 2, 3, 4]) });
    expect(Object.keys(bcel.stateDict())).toEqual(['pos_weight']);
    expectClose(bcel(x, q) as Tensor, F.binaryCrossEntropyWithLogits(x, q, { posWeight: tensor([1, 2, 3, 4]) }));
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
    expectClose(new nn.SmoothL1Loss()(tensor([0, 3]), tensor([0.5, 0])) as Tensor, [(0.125 + 2.5) / 2]);
    expectClose(new nn.HuberLoss({ delta: 2 })(tensor([0, 3]), tensor([0.5, 0])) as Tensor, [(0.125 + 2 * 2) / 2]);
  });

  it('crossEntropy / nllLoss gradients against finite differences (weights, ignoreIndex, smoothing, spatial)', () => {
    manualSeed(2);
    const x = randn(3, 4, 2, { requiresGrad: true });
    const t = tensor(
      [
        [0, 3],
        [2, -100],
        [1, 1],
      ],
      { dtype: 'int32' },
    );
    const w = tensor([0.5, 1, 1.5, 2]);
    gradcheck(() => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2 }), [x]);
    gradcheck(() => F.nllLoss(x, t, { reduction: 'sum' }), [x]);
    const probs = randn(3, 4, 2).softmax(1);
    gradcheck(() => F.crossEntropy(x, probs, { labelSmoothing: 0.1 }), [x]);
  });
});
