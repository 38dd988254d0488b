import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { data, nn, optim, randn, tensor, zeros, type Tensor } from './index.js';

/** Call a constructor or function with options TypeScript would refuse (as JavaScript, or tsx, lets through). */
const loose = <T>(f: T) => f as unknown as (...args: unknown[]) => unknown;
const looseNew =
  (C: unknown) =>
  (...args: unknown[]) =>
    new (C as new (...a: unknown[]) => unknown)(...args);

describe("PyTorch's snake_case keywords and unknown options are errors, not ignored", () => {
  it('optimizers: weight_decay was ignored (no decay, other numbers)', () => {
    const p = [new nn.Parameter(zeros(2))];
    expect(() => looseNew(optim.Adam)(p, { lr: 0.1, weight_decay: 0.1 })).toThrow(
      "Adam: unknown option 'weight_decay' (PyTorch's weight_decay is weightDecay here); the options are lr, betas",
    );
    expect(() => looseNew(optim.SGD)(p, { lr: 0.1, nesterov_momentum: 1 })).toThrow(
      "SGD: unknown option 'nesterov_momentum'; the options are lr, momentum",
    );
    expect(() => looseNew(optim.SGD)(p, { lr: 0.1, momentun: 0.9 })).toThrow("SGD: unknown option 'momentun'");
    expect(() => looseNew(optim.AdamW)(p, { amsGrad: true })).toThrow("AdamW: unknown option 'amsGrad'");
    // user keys in parameter groups stay allowed, as PyTorch's
    const opt = new optim.SGD([{ params: p, name: 'head' }], { lr: 0.1 });
    expect(opt.paramGroups[0]!.name).toBe('head');
  });

  it('LSTM/GRU/RNN: batch_first was ignored (the input read as [T, N, C])', () => {
    expect(() => looseNew(nn.LSTM)(2, 3, { batch_first: true })).toThrow(
      "LSTM: unknown option 'batch_first' (PyTorch's batch_first is batchFirst here); the options are numLayers",
    );
    expect(() => looseNew(nn.GRU)(2, 3, { projSize: 2 })).toThrow("GRU: unknown option 'projSize'");
    expect(() => new nn.RNN(2, 3, { nonlinearity: 'relu', batchFirst: true })).not.toThrow();
  });

  it('DataLoader: batch_size was ignored (batches of 1)', () => {
    expect(() => looseNew(data.DataLoader)([1, 2, 3], { batch_size: 2 })).toThrow(
      "DataLoader: unknown option 'batch_size' (PyTorch's batch_size is batchSize here)",
    );
    expect(() => looseNew(data.DataLoader)([1, 2, 3], { pinMemory: true })).toThrow(
      "DataLoader: unknown option 'pinMemory'",
    );
  });

  it('tensor creation: requires_grad was ignored (no gradient)', () => {
    expect(() => loose(tensor)([1], { requires_grad: true })).toThrow(
      "tensor: unknown option 'requires_grad' (PyTorch's requires_grad is requiresGrad here)",
    );
    expect(() => loose(zeros)(2, 3, { requires_grad: true })).toThrow("zeros: unknown option 'requires_grad'");
    expect((randn(2, { requiresGrad: true, dtype: 'float32' }) as Tensor).requiresGrad).toBe(true);
  });

  it('layers and CrossEntropyLoss: dim_feedforward, padding_idx, label_smoothing... were ignored', () => {
    expect(() => looseNew(nn.TransformerEncoderLayer)(4, 2, { dim_feedforward: 8, batchFirst: true })).toThrow(
      "TransformerEncoderLayer: unknown option 'dim_feedforward' (PyTorch's dim_feedforward is dimFeedforward here)",
    );
    expect(() => looseNew(nn.MultiheadAttention)(4, 2, { batch_first: true })).toThrow(
      "MultiheadAttention: unknown option 'batch_first'",
    );
    expect(() => looseNew(nn.Embedding)(10, 3, { maxNorm: 1 })).toThrow(
      "Embedding: unknown option 'maxNorm'; the options are paddingIdx, device",
    );
    expect(() => looseNew(nn.Linear)(2, 3, { bais: false })).toThrow("Linear: unknown option 'bais'");
    expect(() => looseNew(nn.Conv2d)(1, 2, 3, { padding_mode: 'reflect' })).toThrow(
      "Conv2d: unknown option 'padding_mode' (PyTorch's padding_mode is paddingMode here)",
    );
    expect(() => looseNew(nn.BatchNorm2d)(3, { track_running_stats: false })).toThrow(
      "BatchNorm2d: unknown option 'track_running_stats'",
    );
    expect(() => looseNew(nn.LayerNorm)(3, { elementwise_affine: false })).toThrow('LayerNorm: unknown option');
    expect(() => looseNew(nn.CrossEntropyLoss)({ label_smoothing: 0.1 })).toThrow(
      "CrossEntropyLoss: unknown option 'label_smoothing' (PyTorch's label_smoothing is labelSmoothing here)",
    );
    expect(() => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1 })).not.toThrow();
  });

  it('loss functions: a misspelt reduction was the mean', () => {
    const x = tensor([[1, 2]]);
    const y = tensor([1], { dtype: 'int32' });
    expect(() => loose(nn.F.crossEntropy)(x, y, { reducton: 'sum' })).toThrow(
      "crossEntropy: unknown option 'reducton'; the options are weight, ignoreIndex, labelSmoothing, reduction",
    );
    expect(() => loose(nn.F.mseLoss)(x, x, { size_average: false })).toThrow("mseLoss: unknown option 'size_average'");
    expect(() => loose(nn.F.nllLoss)(x, y, { ignore_index: 0 })).toThrow(
      "nllLoss: unknown option 'ignore_index' (PyTorch's ignore_index is ignoreIndex here)",
    );
    expect(nn.F.crossEntropy(x, y, { reduction: 'sum', labelSmoothing: 0 }).item()).toBeCloseTo(0.3133, 4);
    expect(() => looseNew(nn.MSELoss)({ reducton: 'sum' })).toThrow("MSELoss: unknown option 'reducton'");
    expect(() => looseNew(nn.BCEWithLogitsLoss)({ pos_weight: x })).toThrow(
      "BCEWithLogitsLoss: unknown option 'pos_weight' (PyTorch's pos_weight is posWeight here)",
    );
  });

  it("one-keyword modules take PyTorch's keyword as an options object (LeakyReLU's was a NaN slope)", () => {
    const x = tensor([[-1, 0, 2]]);
    expect(new nn.LeakyReLU({ negativeSlope: 0.2 })(x).tolist()).toEqual([[-0.2, 0, 2]].map((r) => r.map(Math.fround)));
    expect(new nn.Softmax({ dim: 1 })(x).sum().item()).toBeCloseTo(1, 6);
    expect(new nn.LogSoftmax({ dim: -1 })(x).exp().sum().item()).toBeCloseTo(1, 6);
    expect(new nn.ELU({ alpha: 2, inplace: true })(x).tolist()[0]).toEqual(new nn.ELU(2)(x).tolist()[0]);
    expect(new nn.GELU({ approximate: 'tanh' }).approximate).toBe('tanh');
    expect(new nn.Dropout({ p: 0.25 }).p).toBe(0.25);
    expect(new nn.Dropout2d({ p: 0.3 }).p).toBe(0.3);
    // two keywords: Softplus({ beta }) and Hardtanh({ minVal }) computed NaN before
    expect(new nn.Softplus({ beta: 2 })(x).tolist()).toEqual(new nn.Softplus(2, 20)(x).tolist());
    expect(new nn.Hardtanh({ minVal: -0.5, maxVal: 0.5 })(x).tolist()).toEqual([[-0.5, 0, 0.5]]);
    expect(new nn.RReLU({ lower: 0.1, upper: 0.3 }).eval()(x).tolist()).toEqual(
      new nn.RReLU(0.1, 0.3).eval()(x).tolist(),
    );
    expect(new nn.CELU({ alpha: 2 }).alpha).toBe(2);
    expect([new nn.Hardshrink({ lambd: 1 }).lambd, new nn.Softshrink({ lambd: 1 }).lambd]).toEqual([1, 1]);
    expect(new nn.Flatten({ startDim: 0 })(x).shape).toEqual([3]);
    expect(() => looseNew(nn.Flatten)({ start_dim: 0 })).toThrow(
      "Flatten: unknown option 'start_dim' (PyTorch's start_dim is startDim here)",
    );
    expect(() => looseNew(nn.Softmax)({ axis: 1 })).toThrow("Softmax: unknown option 'axis'; the options are dim");
    expect(() => looseNew(nn.LeakyReLU)({ negative_slope: 0.2 })).toThrow(
      "LeakyReLU: unknown option 'negative_slope' (PyTorch's negative_slope is negativeSlope here)",
    );
  });
});
