/**
 * Export, then import: the imported graph module computes what the Flint model computes, for every
 * model the export tests build, at the traced sizes and at other batch (and sequence) sizes.
 */
import '@flint/backend-cpu';
import { manualSeed, nn, randint, randn, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel, importModel } from './index.js';
import {
  Attention,
  Bag,
  boolTensor,
  Decoder,
  EncoderClassifier,
  Functional,
  Joins,
  LastSteps,
  LeNet,
  LstmClassifier,
  LstmWithState,
  maxAbsDiff,
  Mlp,
  MlpSmall,
  MoreMath,
  outputsOf,
  paddingMask,
  Picks,
  Recurrent,
  Seq1d,
  Slicing,
  Zoo,
} from './test-models.js';

interface Case {
  name: string;
  create: () => nn.Module;
  /** The inputs at a size; the first size is traced. */
  args: (size: number) => Tensor[];
  sizes: number[];
  names: string[];
  dynamicAxes: Record<string, number[]>;
  tol: number;
  /** Run before export (training-mode passes that give batch norms their statistics). */
  prepare?: (model: nn.Module) => void;
}

const trainBatchNorms = (shape: number[]) => (model: nn.Module) => {
  model.train();
  model(randn(shape).mul(2).add(1));
  model.eval();
};
const batch = { input: [0], output0: [0] };

class MaskedTransformer extends nn.Module {
  inner = new nn.Transformer({ dModel: 16, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 24 });
  override forward(src: Tensor, tgt: Tensor, tgtMask: Tensor, srcPad: Tensor, memPad: Tensor): Tensor {
    return this.inner(src, tgt, { tgtMask, srcKeyPaddingMask: srcPad, memoryKeyPaddingMask: memPad }) as Tensor;
  }
}

class CausalTransformer extends nn.Module {
  inner = new nn.Transformer({
    dModel: 8,
    nhead: 2,
    numEncoderLayers: 1,
    numDecoderLayers: 2,
    dimFeedforward: 16,
    activation: 'gelu',
    normFirst: true,
    batchFirst: true,
  });
  override forward(src: Tensor, tgt: Tensor, srcMask: Tensor, memoryMask: Tensor): Tensor {
    return this.inner(src, tgt, { srcMask, memoryMask, tgtIsCausal: true }) as Tensor;
  }
}

const image = (shape: number[]) => (n: number) => [randn([n, ...shape])];
const cases: Case[] = [
  ...(
    [
      ['mlp-small', () => new MlpSmall()],
      ['mlp', () => new Mlp()],
      ['lenet', () => new LeNet()],
    ] as const
  ).map(([name, create]) => ({
    name,
    create,
    args: image([1, 28, 28]),
    sizes: [4, 9, 1],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  })),
  {
    name: 'Zoo (convolutions, norms, pools, activations)',
    create: () => new Zoo(),
    prepare: trainBatchNorms([8, 3, 16, 16]),
    args: image([3, 16, 16]),
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Seq1d (1-D convolutions and pools)',
    create: () => new Seq1d(),
    prepare: trainBatchNorms([6, 4, 20]),
    args: image([4, 20]),
    sizes: [3, 7],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Bag (Embedding)',
    create: () => new Bag(),
    args: (n) => [randint(0, 50, [n, 7], { dtype: 'int32' })],
    sizes: [2, 6],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Functional (traced Tensor methods)',
    create: () => new Functional(),
    args: image([2, 3, 4]),
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Decoder (ConvTranspose, GroupNorm, more methods)',
    create: () => new Decoder(),
    args: image([4, 6, 6]),
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Slicing (slice, narrow, gather, indexSelect; two inputs)',
    create: () => new Slicing(),
    args: (n) => [randn([n, 6, 5]), randint(0, 3, [n, 3, 2], { dtype: 'int32' })],
    sizes: [2, 5],
    names: ['x', 'positions'],
    dynamicAxes: { x: [0], positions: [0], output0: [0] },
    tol: 1e-5,
  },
  {
    name: 'Joins (cat, stack, where, chunk, comparisons, maskedFill)',
    create: () => new Joins(),
    args: image([4, 6]),
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'Picks (max/min/argmax/argmin, expand, split, unbind, logical ops, index)',
    create: () => new Picks(),
    args: image([4, 6]),
    sizes: [3, 6],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'MoreMath (trig, rounding, mm/bmm/mv/dot, prod/logsumexp/all/any, cumsum, flip, triu/tril, tile/repeat)',
    create: () => new MoreMath(),
    args: image([4, 6]),
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-5,
  },
  {
    name: 'LstmClassifier (Embedding, 2-layer batch-first LSTM)',
    create: () => new LstmClassifier(),
    args: (n) => [randint(0, 30, [n, 9], { dtype: 'int32' })],
    sizes: [3, 8],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-4,
  },
  {
    name: 'LstmClassifier at other sequence lengths (batch n, length 2n + 3)',
    create: () => new LstmClassifier(),
    args: (n) => [randint(0, 30, [n, 2 * n + 3], { dtype: 'int32' })],
    sizes: [3, 1, 5],
    names: ['input'],
    dynamicAxes: { input: [0, 1], output0: [0] },
    tol: 1e-4,
  },
  {
    name: 'LastSteps (GRU read at negative positions; batch n, length n + 4)',
    create: () => new LastSteps(),
    args: (n) => [randn([n, n + 4, 5])],
    sizes: [2, 3, 5],
    names: ['input'],
    dynamicAxes: { input: [0, 1], output0: [0] },
    tol: 1e-4,
  },
  {
    name: 'Recurrent (bidirectional GRU into a 2-layer ReLU RNN)',
    create: () => new Recurrent(),
    args: (n) => [randn([7, n, 5])],
    sizes: [2, 5],
    names: ['input'],
    dynamicAxes: { input: [1], output0: [0] },
    tol: 1e-4,
  },
  {
    name: 'LstmWithState (bidirectional 2-layer LSTM from h0, c0)',
    create: () => new LstmWithState(),
    args: (n) => [randn([6, n, 3]), randn([4, n, 5]), randn([4, n, 5])],
    sizes: [2, 4],
    names: ['x', 'h0', 'c0'],
    dynamicAxes: { x: [1], h0: [1], c0: [1], output0: [0] },
    tol: 1e-4,
  },
  {
    name: 'EncoderClassifier (Transformer encoder)',
    create: () => new EncoderClassifier(),
    args: image([5, 16]),
    sizes: [2, 6],
    names: ['input'],
    dynamicAxes: batch,
    tol: 1e-4,
  },
  {
    name: 'Attention (MultiheadAttention with its averaged weights)',
    create: () => new Attention(),
    args: (n) => [randn([4, n, 8])],
    sizes: [2, 3],
    names: ['input'],
    dynamicAxes: { input: [1], output0: [0] },
    tol: 1e-4,
  },
  {
    name: 'nn.Transformer with a float tgt mask and bool key padding masks as inputs',
    create: () => new MaskedTransformer(),
    // size n: batch n, source length n + 3, target length n + 2.
    args: (n) => [
      randn([n + 3, n, 16]),
      randn([n + 2, n, 16]),
      nn.Transformer.generateSquareSubsequentMask(n + 2),
      paddingMask(n, n + 3),
      paddingMask(n, n + 3),
    ],
    sizes: [2, 3],
    names: ['src', 'tgt', 'tgt_mask', 'src_pad', 'mem_pad'],
    dynamicAxes: { src: [0, 1], tgt: [0, 1], tgt_mask: [0, 1], src_pad: [0, 1], mem_pad: [0, 1], output0: [0, 1] },
    tol: 1e-4,
  },
  {
    name: 'nn.Transformer, batch first, pre-norm gelu, tgtIsCausal, a bool 3-D src mask and a float memory mask',
    create: () => new CausalTransformer(),
    args: (n) => {
      const s = n + 2;
      const hidden = Array.from({ length: n * 2 * s * s }, (_, i) => i % s === Math.floor(i / (s * s)) % s);
      return [randn([n, s, 8]), randn([n, n + 1, 8]), boolTensor(hidden, [n * 2, s, s]), randn([n + 1, s])];
    },
    sizes: [2, 4],
    names: ['src', 'tgt', 'src_mask', 'memory_mask'],
    dynamicAxes: { src: [0, 1], tgt: [0, 1], src_mask: [0, 1, 2], memory_mask: [0, 1], output0: [0, 1] },
    tol: 1e-4,
  },
];

describe('export, then import: the imported module equals the Flint model', () => {
  for (const [k, c] of cases.entries())
    it(`${c.name} within ${c.tol} at sizes ${c.sizes.join(', ')}`, () => {
      manualSeed(400 + k);
      const model = c.create();
      c.prepare?.(model);
      model.eval();
      const bytes = exportModel(model, c.args(c.sizes[0]!), { inputNames: c.names, dynamicAxes: c.dynamicAxes });
      const imported = importModel(bytes);
      let worst = 0;
      for (const size of c.sizes) {
        const args = c.args(size);
        const expected = outputsOf(model(...args));
        const got = outputsOf(imported(...args));
        expect(got.length).toBe(expected.length);
        for (const [i, y] of expected.entries()) {
          expect(got[i]!.shape).toEqual(y.shape);
          worst = Math.max(worst, maxAbsDiff(got[i]!.dataSync(), y.dataSync()));
        }
      }
      if (process.env.ONNX_REPORT_DIFFS === '1') console.log(`round trip ${c.name}: ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(c.tol);
    });
});
