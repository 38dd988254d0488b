import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { arange, manualSeed, memory, nn, noGrad, randn, tensor, type Tensor, tidy, zeros } from '../index.js';
import { expectClose } from './test-helpers.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('module hooks', () => {
  it('forward pre-hooks and forward hooks see and replace inputs and outputs; handles remove them', () => {
    const lin = new nn.Linear(2, 2, { bias: false });
    noGrad(() =>
      lin.weight.copy_(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    );
    const seen: number[][] = [];
    const pre = lin.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(2)]);
    const post = lin.registerForwardHook((_m, [x], out) => {
      seen.push(values(x as Tensor));
      return (out as Tensor).add(1);
    });
    expect(values(lin(tensor([[1, 1]])))).toEqual([7, 15]); // W (2x) + 1
    expect(seen).toEqual([[2, 2]]);
    pre.remove();
    expect(values(lin(tensor([[1, 1]])))).toEqual([4, 8]);
    post.remove();
    expect(values(lin(tensor([[1, 1]])))).toEqual([3, 7]);
    // a hook returning undefined changes nothing
    lin.registerForwardHook(() => undefined);
    expect(values(lin(tensor([[1, 1]])))).toEqual([3, 7]);
  });

  it('hooks run on submodules called inside a parent forward', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 3), new nn.ReLU());
    let calls = 0;
    seq.get(0).registerForwardHook(() => {
      calls++;
    });
    seq(randn(2, 3));
    expect(calls).toBe(1);
  });

  it('full backward hooks get gradInput and gradOutput and may replace gradInput', () => {
    const lin = new nn.Linear(3, 2);
    const x = randn(4, 3, { requiresGrad: true });
    const cot = randn(4, 2);
    // The engine frees the gradients after backward: the hook reads them while it runs.
    const got: { gin: number[]; gout: number[] }[] = [];
    const handle = lin.registerFullBackwardHook((_m, gin, gout) => {
      got.push({ gin: values(gin[0]!), gout: values(gout[0]!) });
      return [gin[0]!.mul(10)];
    });
    (lin(x) as Tensor).mul(cot).sum().backward();
    expect(got.length).toBe(1);
    expectClose(got[0]!.gout, values(cot));
    const expected = cot.matmul(lin.weight); // d(sum(y * cot)) / dx
    expectClose(got[0]!.gin, values(expected));
    expectClose(x.grad!, expected.mul(10));
    // The parameters' gradients are the module's own (not scaled).
    expectClose(lin.weight.grad!, cot.transpose(0, 1).matmul(x));
    handle.remove();
    x.grad = null;
    (lin(x) as Tensor).mul(cot).sum().backward();
    expect(got.length).toBe(1);
    expectClose(x.grad!, expected);
  });

  it('training steps with every kind of hook do not grow memory', () => {
    const lin = new nn.Linear(3, 2);
    lin.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(1)]);
    lin.registerForwardHook((_m, _i, out) => (out as Tensor).add(0));
    lin.registerFullBackwardHook((_m, gin) => [gin[0]!.mul(1)]);
    const x = randn(4, 3, { requiresGrad: true });
    const step = () =>
      tidy(() => {
        lin.zeroGrad();
        x.grad?.dispose();
        x.grad = null;
        (lin(x) as Tensor).sum().backward();
      });
    step();
    const before = memory().handles;
    for (let i = 0; i < 3; i++) step();
    expect(memory().handles).toBe(before);
  });

  it('a full backward hook runs with null gradInput when no input requires grad', () => {
    const lin = new nn.Linear(3, 2);
    let gin: (Tensor | null)[] | null = null;
    let gout: number[] = [];
    lin.registerFullBackwardHook((_m, i, o) => {
      gin = i;
      gout = values(o[0]!);
    });
    (lin(randn(2, 3)) as Tensor).sum().backward();
    expect(gin).toEqual([null]);
    expectClose(gout, [1, 1, 1, 1]);
    expect(lin.weight.grad).not.toBeNull();
  });
});

describe('deepCopy, float, double', () => {
  it('copies parameters, buffers, children and state into independent storage', () => {
    manualSeed(0);
    const shared = new nn.Linear(2, 2);
    const model = new nn.Sequential(shared, new nn.BatchNorm1d(2), shared);
    model.eval();
    (model.get(0) as nn.Linear).weight.grad = tensor([
      [1, 2],
      [3, 4],
    ]);
    const copy = model.deepCopy();
    expect(copy).not.toBe(model);
    expect(copy).toBeInstanceOf(nn.Sequential);
    expect(copy.training).toBe(false);
    expect(copy.get(0)).toBe(copy.get(2)); // sharing is kept
    expect(copy.get(0)).not.toBe(model.get(0));
    const a = model.stateDict();
    const b = copy.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(values(b[k]!)).toEqual(values(a[k]!));
    expect(values((copy.get(0) as nn.Linear).weight.grad!)).toEqual([1, 2, 3, 4]);
    noGrad(() => (copy.get(0) as nn.Linear).weight.fill_(5));
    expect(values((model.get(0) as nn.Linear).weight)).not.toEqual([5, 5, 5, 5]);
    const x = randn(3, 2);
    expect(values(copy(x) as Tensor).length).toBe(6); // callable
    expect(model.float()).toBe(model);
    expect(model.double()).toBe(model);
    expect((model.double().get(0) as nn.Linear).weight.dtype).toBe('float32');
  });

  it('TransformerEncoder clones its layer: equal values, separate parameters', () => {
    manualSeed(1);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(4));
    const keys = Object.keys(enc.stateDict());
    expect(keys[0]).toBe('layers.0.self_attn.in_proj_weight');
    expect(keys.at(-1)).toBe('norm.bias');
    const l0 = enc.layers.get(0) as nn.TransformerEncoderLayer;
    const l1 = enc.layers.get(1) as nn.TransformerEncoderLayer;
    expect(values(l1.linear1.weight)).toEqual(values(layer.linear1.weight));
    expect(l0.linear1.weight).not.toBe(l1.linear1.weight);
    expect(enc.parameters().length).toBe(2 * layer.parameters().length + 2);
  });
});

describe('nn.init.orthogonal_, sparse_, dirac_', () => {
  it('orthogonal_ gives orthonormal rows or columns, times gain', () => {
    manualSeed(2);
    const tall = nn.init.orthogonal_(zeros(6, 3), 2);
    expectClose(tall.transpose(0, 1).matmul(tall), [4, 0, 0, 0, 4, 0, 0, 0, 4], 1e-5, 1e-5);
    const wide = nn.init.orthogonal_(zeros(2, 3, 2));
    const w = wide.reshape([2, 6]);
    expectClose(w.matmul(w.transpose(0, 1)), [1, 0, 0, 1], 1e-5, 1e-5);
    expect(() => nn.init.orthogonal_(zeros(3))).toThrow('Only tensors with 2 or more dimensions are supported');
  });

  it('sparse_ zeroes ceil(sparsity * rows) entries of each column', () => {
    manualSeed(3);
    const t = nn.init.sparse_(zeros(5, 4), 0.5, 0.1);
    const v = values(t);
    for (let c = 0; c < 4; c++) {
      const col = [0, 1, 2, 3, 4].map((r) => v[r * 4 + c]!);
      expect(col.filter((x) => x === 0).length).toBe(3);
    }
    expect(() => nn.init.sparse_(zeros(2, 2, 2), 0.1)).toThrow('Only tensors with 2 dimensions are supported');
  });

  it('dirac_ makes a convolution that keeps its input channels (per group)', () => {
    const w = nn.init.dirac_(zeros(4, 2, 3, 3), 2);
    const x = randn(1, 4, 5, 5);
    const y = nn.F.conv2d(x, w, null, { padding: 1, groups: 2 });
    expectClose(y, x);
    const w3 = nn.init.dirac_(zeros(3, 2, 3));
    expect(values(w3)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => nn.init.dirac_(zeros(3, 3))).toThrow('Only tensors with 3, 4, or 5 dimensions are supported');
    expect(() => nn.init.dirac_(zeros(3, 2, 3), 2)).toThrow('dim 0 must be divisible by groups');
  });
});

describe('weight norm', () => {
  it('parametrizations.weightNorm: original0 (g) and original1 (v), the weight unchanged, gradients to both', () => {
    manualSeed(4);
    const lin = new nn.Linear(3, 2);
    const before = values(lin.weight);
    nn.utils.parametrizations.weightNorm(lin);
    expect(Object.keys(lin.stateDict())).toEqual([
      'bias',
      'parametrizations.weight.original0',
      'parametrizations.weight.original1',
    ]);
    expectClose(lin.weight, before);
    const g = lin.getParameter('parametrizations.weight.original0');
    expect([...g.shape]).toEqual([2, 1]);
    (lin(randn(4, 3)) as Tensor).sum().backward();
    expect(g.grad).not.toBeNull();
    expect(lin.getParameter('parametrizations.weight.original1').grad).not.toBeNull();
    expect(() => nn.utils.parametrizations.weightNorm(new nn.Linear(2, 2), 'nope')).toThrow("name 'nope'");
  });

  it('a deep copy of a weight-normed module computes its weight from its own g and v', () => {
    for (const apply of [
      (m: nn.Linear) => nn.utils.parametrizations.weightNorm(m),
      (m: nn.Linear) => nn.utils.weightNorm(m),
    ]) {
      const lin = apply(new nn.Linear(3, 2));
      const copy = lin.deepCopy();
      const g = Object.keys(copy.stateDict()).find(
        (k) => k !== 'bias' && !k.endsWith('original1') && !k.endsWith('_v'),
      )!;
      noGrad(() => copy.getParameter(g).mul_(2));
      const x = randn(1, 3);
      const out = copy(x) as Tensor;
      const expected = (lin(x) as Tensor).sub(lin.bias!).mul(2).add(lin.bias!);
      expectClose(out, expected, 1e-5, 1e-6);
    }
  });
});

describe('nn.utils.rnn', () => {
  it('padSequence, packSequence and padPackedSequence round-trip unsorted batches', () => {
    const seqs = [arange(2).reshape(2, 1), arange(4).reshape(4, 1).add(10), arange(3).reshape(3, 1).add(20)];
    const padded = nn.utils.rnn.padSequence(seqs, true, -1);
    expect([...padded.shape]).toEqual([3, 4, 1]);
    expect(values(padded)).toEqual([0, 1, -1, -1, 10, 11, 12, 13, 20, 21, 22, -1]);
    const packed = nn.utils.rnn.packSequence(seqs, false);
    expect(values(packed.data)).toEqual([10, 20, 0, 11, 21, 1, 12, 22, 13]);
    expect(values(packed.batchSizes)).toEqual([3, 3, 2, 1]);
    expect(values(packed.sortedIndices!)).toEqual([1, 2, 0]);
    expect(values(packed.unsortedIndices!)).toEqual([2, 0, 1]);
    const [back, lengths] = nn.utils.rnn.padPackedSequence(packed, true, -1, 5);
    expect([...back.shape]).toEqual([3, 5, 1]);
    expect(values(back)).toEqual([0, 1, -1, -1, -1, 10, 11, 12, 13, -1, 20, 21, 22, -1, -1]);
    expect(values(lengths)).toEqual([2, 4, 3]);
  });

  it("a PackedSequence destructures like PyTorch's namedtuple and survives being returned from tidy", () => {
    const lstm = new nn.LSTM(2, 3);
    const seqs = [randn(2, 2), randn(3, 2)];
    const [out] = tidy(() => lstm(nn.utils.rnn.packSequence(seqs, false), null)) as [nn.utils.rnn.PackedSequence];
    expect(out).toBeInstanceOf(nn.utils.rnn.PackedSequence);
    const [data, batchSizes, sortedIndices, unsortedIndices] = out;
    expect(data).toBe(out.data);
    expect([...data!.shape]).toEqual([5, 3]);
    expect(values(batchSizes!)).toEqual([2, 2, 1]);
    expect(values(sortedIndices!)).toEqual([1, 0]);
    expect(values(unsortedIndices!)).toEqual([1, 0]);
    const [padded, lengths] = nn.utils.rnn.padPackedSequence(out);
    expect([...padded.shape]).toEqual([3, 2, 3]);
    expect(values(lengths)).toEqual([2, 3]);
  });

  it('bad lengths are clear errors', () => {
    const x = randn(4, 3, 2);
    expect(() => nn.utils.rnn.packPaddedSequence(x, [2, 4, 1])).toThrow('sorted in decreasing order');
    expect(() => nn.utils.rnn.packPaddedSequence(x, [4, 0, 1])).toThrow('greater than 0');
    expect(() => nn.utils.rnn.packPaddedSequence(x, [4, 2])).toThrow('batch_size=3');
    expect(() => nn.utils.rnn.packPaddedSequence(x, [5, 2, 1])).toThrow('exceeds');
    const packed = nn.utils.rnn.packPaddedSequence(x, [4, 2, 1]);
    expect(() => nn.utils.rnn.padPackedSequence(packed, false, 0, 3)).toThrow('total_length=3');
  });

  it('an LSTM on a packed batch gives each sequence the final state of running it alone', () => {
    manualSeed(5);
    const lstm = new nn.LSTM(2, 3);
    const seqs = [randn(2, 2), randn(4, 2), randn(3, 2)];
    const [, [h]] = lstm(nn.utils.rnn.packSequence(seqs, false), null);
    seqs.forEach((s, i) => {
      const [, [hAlone]] = lstm(s, null);
      expectClose(h.select(1, i).reshape([3]), hAlone.reshape([3]), 1e-5, 1e-6);
    });
  });
});

describe('Transformer', () => {
  it('generateSquareSubsequentMask is 0 on and below the diagonal, -inf above', () => {
    expect(values(nn.Transformer.generateSquareSubsequentMask(3))).toEqual([
      0,
      -Infinity,
      -Infinity,
      0,
      0,
      -Infinity,
      0,
      0,
      0,
    ]);
  });

  it('parameter names, init and shape errors', () => {
    manualSeed(6);
    const tr = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
    const keys = Object.keys(tr.stateDict());
    expect(keys).toContain('encoder.layers.0.self_attn.in_proj_weight');
    expect(keys).toContain('decoder.layers.0.multihead_attn.out_proj.weight');
    expect(keys).toContain('decoder.norm.weight');
    expect(keys.length).toBe(12 + 2 + 18 + 2);
    expect(() => tr(randn(5, 2, 4), randn(3, 3, 4))).toThrow('the batch number of src and tgt must be equal');
    expect(() => tr(randn(5, 2, 4), randn(3, 2, 6))).toThrow(
      'the feature number of src and tgt must be equal to d_model',
    );
    const out = tr(randn(5, 2, 4), randn(3, 2, 4), {
      tgtMask: nn.Transformer.generateSquareSubsequentMask(3),
    }) as Tensor;
    expect([...out.shape]).toEqual([3, 2, 4]);
  });

  it('isCausal gives the causal mask in the encoder, decoder and Transformer', () => {
    manualSeed(8);
    const tr = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
    tr.eval();
    const src = randn(3, 2, 4);
    const tgt = randn(3, 2, 4);
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    const withMasks = tr(src, tgt, { srcMask: mask, tgtMask: mask }) as Tensor;
    const withFlags = tr(src, tgt, { srcIsCausal: true, tgtIsCausal: true }) as Tensor;
    expectClose(withFlags, withMasks, 1e-6, 1e-6);
    const plain = tr(src, tgt) as Tensor;
    expect(values(plain)).not.toEqual(values(withMasks));
  });

  it("PyTorch's positional masks give the same results as the options objects", () => {
    manualSeed(9);
    const tr = new nn.Transformer({
      dModel: 4,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 8,
      dropout: 0,
    });
    const src = randn(4, 2, 4);
    const tgt = randn(3, 2, 4);
    const tgtMask = nn.Transformer.generateSquareSubsequentMask(3);
    const kpm = tensor([
      [false, false, false, true],
      [false, false, false, false],
    ]);
    expectClose(
      tr(src, tgt, null, tgtMask, null, kpm) as Tensor,
      tr(src, tgt, { tgtMask, srcKeyPaddingMask: kpm }) as Tensor,
      1e-6,
      1e-6,
    );
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    expectClose(layer(src, null, kpm) as Tensor, layer(src, { srcKeyPaddingMask: kpm }) as Tensor, 1e-6, 1e-6);
    const dec = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    expectClose(dec(tgt, src, tgtMask) as Tensor, dec(tgt, src, { tgtMask }) as Tensor, 1e-6, 1e-6);
  });

  it('scaledDotProductAttention: isCausal and an explicit mask exclude each other; dropout keeps the mean', () => {
    const q = randn(2, 3, 4);
    expect(() => nn.F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: zeros(3, 3) })).toThrow(
      'Explicit attn_mask should not be set when is_causal=True',
    );
    manualSeed(7);
    const v = tensor(Array.from({ length: 400 }, () => [1]));
    const k = zeros(400, 2);
    const out = nn.F.scaledDotProductAttention(zeros(2000, 2), k, v, { dropoutP: 0.5 });
    // uniform weights 1/400 kept with p 0.5 and scaled by 2: each row's sum is 1 on average
    expect(Math.abs(out.mean().item() - 1)).toBeLessThan(0.02);
  });
});
