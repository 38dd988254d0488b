import '@flint/backend-cpu';
import { manualSeed, nn, randint, randn, reshape, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel, importModel } from './index.js';
import { decodeModel } from './proto/index.js';
import {
  Attention,
  Bag,
  Decoder,
  EncoderClassifier,
  Functional,
  LeNet,
  LstmClassifier,
  LstmWithState,
  Mlp,
  MlpSmall,
  maxAbsDiff,
  Recurrent,
  runOrt,
  Seq1d,
  Slicing,
  Zoo,
} from './test-models.js';

/** Flint's output and ONNX Runtime's on the exported model agree within `tol` for each input. */
async function expectSameOutputs(model: nn.Module, bytes: Uint8Array, inputs: Tensor[], tol: number): Promise<number> {
  model.eval();
  let worst = 0;
  for (const x of inputs) {
    const expected = (model(x) as Tensor).dataSync();
    const [got] = await runOrt(bytes, { input: x });
    expect(got!.dims).toEqual((model(x) as Tensor).shape);
    const d = maxAbsDiff(got!.data, expected as ArrayLike<number>);
    if (process.env.ONNX_REPORT_DIFFS === '1') console.log(`max abs diff ${d.toExponential(2)} at input [${x.shape}]`);
    expect(d).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  return worst;
}

const dynamicBatch = { inputNames: ['input'], outputNames: ['logits'], dynamicAxes: { input: [0], logits: [0] } };

describe('exportModel: the mnist models in ONNX Runtime', () => {
  for (const [name, create] of [
    ['mlp-small', () => new MlpSmall()],
    ['mlp', () => new Mlp()],
    ['lenet', () => new LeNet()],
  ] as const) {
    it(`${name}: outputs match Flint's within 1e-5, at the traced batch size and another`, async () => {
      manualSeed(7);
      const model = create();
      const bytes = exportModel(model, randn([4, 1, 28, 28]), dynamicBatch);
      await expectSameOutputs(
        model,
        bytes,
        [randn([4, 1, 28, 28]), randn([9, 1, 28, 28]), randn([1, 1, 28, 28])],
        1e-5,
      );
    });
  }

  it('restores training mode and the Tensor methods after the trace', () => {
    const model = new MlpSmall();
    const reshape = (randn([1]) as unknown as { reshape: unknown }).reshape;
    model.train();
    exportModel(model, randn([2, 1, 28, 28]));
    expect(model.training).toBe(true);
    expect((randn([1]) as unknown as { reshape: unknown }).reshape).toBe(reshape);
  });
});

describe('exportModel: the other modules and the traced methods', () => {
  /** Give the batch norms running statistics that are not the initial zeros and ones. */
  function trainBatchNorms(model: nn.Module, x: Tensor): void {
    model.train();
    model(x);
    model.eval();
  }

  it('convolutions, norms, pools and activations (Zoo) match within 1e-5 at two batch sizes', async () => {
    manualSeed(21);
    const model = new Zoo();
    trainBatchNorms(model, randn([8, 3, 16, 16]).mul(2).add(1));
    const bytes = exportModel(model, randn([2, 3, 16, 16]), dynamicBatch);
    await expectSameOutputs(model, bytes, [randn([2, 3, 16, 16]), randn([5, 3, 16, 16])], 1e-5);
    const x = randn([3, 3, 16, 16]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('1-D convolutions and pools (Seq1d) match within 1e-5', async () => {
    manualSeed(22);
    const model = new Seq1d();
    trainBatchNorms(model, randn([6, 4, 20]).add(0.5));
    const bytes = exportModel(model, randn([3, 4, 20]), dynamicBatch);
    await expectSameOutputs(model, bytes, [randn([3, 4, 20]), randn([7, 4, 20])], 1e-5);
    const x = randn([2, 4, 20]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('an Embedding on int32 tokens (Gather) matches within 1e-5', async () => {
    manualSeed(23);
    const model = new Bag();
    const tokens = (n: number) => randint(0, 50, [n, 7], { dtype: 'int32' });
    const bytes = exportModel(model, tokens(2), dynamicBatch);
    await expectSameOutputs(model, bytes, [tokens(2), tokens(6)], 1e-5);
    const t = tokens(4);
    expect(maxAbsDiff(importModel(bytes)(t).dataSync(), model(t).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('functional Tensor methods in forward match within 1e-5, with a batch size different from the traced one', async () => {
    manualSeed(24);
    const model = new Functional();
    const bytes = exportModel(model, randn([2, 2, 3, 4]), dynamicBatch);
    await expectSameOutputs(model, bytes, [randn([2, 2, 3, 4]), randn([5, 2, 3, 4])], 1e-5);
    // Opset 18 moves ReduceMean's axes from an attribute to an input; 21 needs IR version 10.
    for (const opset of [18, 21]) {
      const later = exportModel(model, randn([2, 2, 3, 4]), { ...dynamicBatch, opset });
      await expectSameOutputs(model, later, [randn([4, 2, 3, 4])], 1e-5);
    }
    const x = randn([3, 2, 3, 4]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
  });
});

describe('exportModel: what it cannot express is an error naming the op and the module', () => {
  class FreeFunction extends nn.Module {
    inner = new nn.Sequential(new nn.Linear(4, 4), new Gelu());
    override forward(x: Tensor): Tensor {
      return this.inner(x);
    }
  }
  class Gelu extends nn.Module {
    override forward(x: Tensor): Tensor {
      return nn.functional.gelu(x);
    }
  }

  it('a free function (F.gelu) in a module of its own', () => {
    expect(() => exportModel(new FreeFunction(), randn([2, 4]))).toThrow(
      /op 'gelu' called in module 'inner\.1' \(Gelu\) cannot be exported/,
    );
  });

  it('a known module with a setting ONNX has no form for', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: 'reflect' }));
    expect(() => exportModel(model, randn([1, 1, 5, 5]))).toThrow(
      "onnx export: module '0' (Conv2d) cannot be exported: paddingMode 'reflect' (only 'zeros' is exported)",
    );
  });

  it('a dynamic axis of a name that is not an input or output', () => {
    expect(() => exportModel(new MlpSmall(), randn([1, 1, 28, 28]), { dynamicAxes: { x: [0] } })).toThrow(
      "onnx export: dynamicAxes names 'x', which is not a graph input or output (input0, output0)",
    );
  });

  it('an opset below 17', () => {
    expect(() => exportModel(new MlpSmall(), randn([1, 1, 28, 28]), { opset: 13 })).toThrow(
      /opset 13 is not supported/,
    );
  });
});

describe('exportModel: recurrent modules as ONNX LSTM/GRU/RNN', () => {
  it('an LSTM classifier matches within 1e-4 at two batch sizes', async () => {
    manualSeed(31);
    const model = new LstmClassifier();
    const tokens = (n: number) => randint(0, 30, [n, 9], { dtype: 'int32' });
    const bytes = exportModel(model, tokens(3), dynamicBatch);
    await expectSameOutputs(model, bytes, [tokens(3), tokens(8)], 1e-4);
    const t = tokens(5);
    expect(maxAbsDiff(importModel(bytes)(t).dataSync(), model(t).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('a bidirectional GRU feeding a 2-layer ReLU RNN matches within 1e-4', async () => {
    manualSeed(32);
    const model = new Recurrent();
    const bytes = exportModel(model, randn([7, 2, 5]), { ...dynamicBatch, dynamicAxes: { input: [1], logits: [0] } });
    await expectSameOutputs(model, bytes, [randn([7, 2, 5]), randn([7, 5, 5])], 1e-4);
    const x = randn([7, 3, 5]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
  });
});

describe('exportModel: attention and the Transformer encoder', () => {
  it('a Transformer encoder classifier matches within 1e-4 at two batch sizes', async () => {
    manualSeed(41);
    const model = new EncoderClassifier();
    const bytes = exportModel(model, randn([2, 5, 16]), dynamicBatch);
    await expectSameOutputs(model, bytes, [randn([2, 5, 16]), randn([6, 5, 16])], 1e-4);
    // Modules inside a known module (self_attn, linear1, norm1) add no nodes of their own.
    const x = randn([3, 5, 16]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
    const graph = decodeModel(bytes).graph!;
    const read = new Set([...graph.node.flatMap((n) => n.input), ...graph.output.map((o) => o.name)]);
    expect(graph.node.filter((n) => !read.has(n.output[0]!)).map((n) => n.name)).toEqual([]);
  });

  it('MultiheadAttention with its averaged weights matches within 1e-4', async () => {
    manualSeed(42);
    const model = new Attention();
    const bytes = exportModel(model, randn([4, 2, 8]), { ...dynamicBatch, dynamicAxes: { input: [1], logits: [0] } });
    await expectSameOutputs(model, bytes, [randn([4, 2, 8]), randn([4, 3, 8])], 1e-4);
  });

  it('a custom transformer activation is an error naming the module', () => {
    class Custom extends nn.Module {
      layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 8, activation: (x) => x.tanh() });
      override forward(x: Tensor): Tensor {
        return this.layer(x, x);
      }
    }
    expect(() => exportModel(new Custom(), randn([3, 2, 8]))).toThrow(
      "onnx export: module 'layer' (TransformerDecoderLayer) cannot be exported: a custom activation function (relu and gelu are exported)",
    );
  });
});

describe('exportModel: a view made outside the traced ops', () => {
  it('is an error, not a constant baked into the graph', () => {
    class FreeReshape extends nn.Module {
      fc = new nn.Linear(6, 2);
      override forward(x: Tensor): Tensor {
        return this.fc(reshape(x, [-1, 6]));
      }
    }
    expect(() => exportModel(new FreeReshape(), randn([2, 2, 3]))).toThrow(
      "onnx export: a tensor of shape [2, 6] is a view of traced value 'input0' made outside the traced ops",
    );
  });
});

describe('exportModel: transposed convolutions, GroupNorm and more methods', () => {
  it('Decoder matches within 1e-5 at two batch sizes', async () => {
    manualSeed(51);
    const model = new Decoder();
    const bytes = exportModel(model, randn([2, 4, 6, 6]), dynamicBatch);
    await expectSameOutputs(model, bytes, [randn([2, 4, 6, 6]), randn([5, 4, 6, 6])], 1e-5);
    const x = randn([3, 4, 6, 6]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-5);
  });
});

describe('exportModel: slices and gathers', () => {
  it('slice, narrow, gather and indexSelect match within 1e-5 with two inputs, and round-trip', async () => {
    manualSeed(61);
    const model = new Slicing();
    const positions = (n: number) => randint(0, 3, [n, 3, 2], { dtype: 'int32' });
    const options = { inputNames: ['x', 'positions'], dynamicAxes: { x: [0], positions: [0], output0: [0] } };
    const bytes = exportModel(model, [randn([2, 6, 5]), positions(2)], options);
    for (const n of [2, 5]) {
      const x = randn([n, 6, 5]);
      const p = positions(n);
      const expected = model(x, p).dataSync();
      const [got] = await runOrt(bytes, { x, positions: p });
      expect(got!.dims).toEqual([n, 3]);
      expect(maxAbsDiff(got!.data, expected)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(importModel(bytes)(x, p).dataSync(), expected)).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('exportModel: recurrent initial states', () => {
  it('a bidirectional 2-layer LSTM from given h0 and c0 matches within 1e-4 and round-trips', async () => {
    manualSeed(71);
    const model = new LstmWithState();
    const names = { inputNames: ['x', 'h0', 'c0'], dynamicAxes: { x: [1], h0: [1], c0: [1], output0: [0] } };
    const bytes = exportModel(model, [randn([6, 2, 3]), randn([4, 2, 5]), randn([4, 2, 5])], names);
    for (const n of [2, 4]) {
      const [x, h0, c0] = [randn([6, n, 3]), randn([4, n, 5]), randn([4, n, 5])];
      const expected = model(x, h0, c0).dataSync();
      const [got] = await runOrt(bytes, { x: x!, h0: h0!, c0: c0! });
      expect(maxAbsDiff(got!.data, expected)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(importModel(bytes)(x, h0, c0).dataSync(), expected)).toBeLessThanOrEqual(1e-5);
    }
  });
});
