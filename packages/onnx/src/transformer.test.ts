import '@flint/backend-cpu';
import { fromArray, manualSeed, nn, randn, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel, importModel } from './index.js';
import { boolTensor, maxAbsDiff, outputsOf, paddingMask, runOrt } from './test-models.js';

/**
 * Run `model(...args)` in Flint and the exported graph in ONNX Runtime on the same feeds (named as
 * the graph inputs, in args' order); every output agrees within `tol`. Returns the largest difference.
 */
async function expectSame(
  model: nn.Module,
  bytes: Uint8Array,
  names: readonly string[],
  args: Tensor[],
  tol: number,
): Promise<number> {
  model.eval();
  const expected = outputsOf(model(...args));
  const got = await runOrt(bytes, Object.fromEntries(names.map((n, i) => [n, args[i]!])));
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (const [i, y] of expected.entries()) {
    expect(got[i]!.dims).toEqual(y.shape);
    const d = maxAbsDiff(got[i]!.data, y.dataSync() as ArrayLike<number>);
    worst = Math.max(worst, d);
  }
  if (process.env.ONNX_REPORT_DIFFS === '1')
    console.log(`max abs diff ${worst.toExponential(2)} at inputs ${args.map((a) => `[${a.shape}]`).join(' ')}`);
  expect(worst).toBeLessThanOrEqual(tol);
  return worst;
}

/** Every dim of each named value is dynamic. */
const allDynamic = (shapes: Record<string, number>) =>
  Object.fromEntries(Object.entries(shapes).map(([name, ndim]) => [name, [...Array(ndim).keys()]]));

describe('exportModel: the Transformer decoder', () => {
  class DecoderModel extends nn.Module {
    decoder = new nn.TransformerDecoder(
      new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true }),
      2,
      new nn.LayerNorm(16),
    );
    extra = new nn.TransformerDecoderLayer(16, 2, {
      dimFeedforward: 24,
      activation: 'gelu',
      normFirst: true,
      batchFirst: true,
    });
    override forward(tgt: Tensor, memory: Tensor): Tensor {
      return this.extra(this.decoder(tgt, memory), memory) as Tensor;
    }
  }

  it('post-norm relu layers and a pre-norm gelu layer (batch first) match within 1e-4 at other batch and sequence lengths, and round-trip', async () => {
    manualSeed(81);
    const model = new DecoderModel();
    const names = ['tgt', 'memory'];
    const options = { inputNames: names, dynamicAxes: { tgt: [0, 1], memory: [0, 1], output0: [0, 1] } };
    const bytes = exportModel(model, [randn([2, 4, 16]), randn([2, 5, 16])], options);
    await expectSame(model, bytes, names, [randn([2, 4, 16]), randn([2, 5, 16])], 1e-4);
    await expectSame(model, bytes, names, [randn([3, 6, 16]), randn([3, 2, 16])], 1e-4);
    const [t, m] = [randn([1, 3, 16]), randn([1, 7, 16])];
    expect(maxAbsDiff(importModel(bytes)(t, m).dataSync(), model(t, m).dataSync())).toBeLessThanOrEqual(1e-5);
  });
});

describe('exportModel: nn.Transformer with masks as graph inputs', () => {
  it('time-major post-norm relu: a float tgt mask and bool key padding masks as inputs, at another batch and sequence lengths', async () => {
    manualSeed(82);
    const model = new nn.Transformer({
      dModel: 16,
      nhead: 2,
      numEncoderLayers: 2,
      numDecoderLayers: 2,
      dimFeedforward: 24,
    });
    class Masked extends nn.Module {
      inner = model;
      override forward(src: Tensor, tgt: Tensor, tgtMask: Tensor, srcPad: Tensor, memPad: Tensor): Tensor {
        return this.inner(src, tgt, {
          tgtMask,
          srcKeyPaddingMask: srcPad,
          memoryKeyPaddingMask: memPad,
        }) as Tensor;
      }
    }
    const wrapper = new Masked();
    const names = ['src', 'tgt', 'tgt_mask', 'src_pad', 'mem_pad'];
    const args = (s: number, t: number, n: number) => [
      randn([s, n, 16]),
      randn([t, n, 16]),
      nn.Transformer.generateSquareSubsequentMask(t),
      paddingMask(n, s),
      paddingMask(n, s),
    ];
    const dynamicAxes = allDynamic({ src: 3, tgt: 3, tgt_mask: 2, src_pad: 2, mem_pad: 2, output0: 3 });
    const bytes = exportModel(wrapper, args(5, 4, 2), { inputNames: names, dynamicAxes });
    await expectSame(wrapper, bytes, names, args(5, 4, 2), 1e-4);
    await expectSame(wrapper, bytes, names, args(7, 6, 3), 1e-4);
  });

  it('batch-first pre-norm gelu: tgtIsCausal, a bool 3-D src mask and a float memory mask as inputs', async () => {
    manualSeed(83);
    const model = new nn.Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 2,
      dimFeedforward: 16,
      activation: 'gelu',
      normFirst: true,
      batchFirst: true,
    });
    class Masked extends nn.Module {
      inner = model;
      override forward(src: Tensor, tgt: Tensor, srcMask: Tensor, memoryMask: Tensor): Tensor {
        return this.inner(src, tgt, { srcMask, memoryMask, tgtIsCausal: true }) as Tensor;
      }
    }
    const wrapper = new Masked();
    const names = ['src', 'tgt', 'src_mask', 'memory_mask'];
    const args = (s: number, t: number, n: number) => {
      // Each (batch, head) row of the 3-D mask hides a different key, never all of them.
      const hidden = Array.from({ length: n * 2 * s * s }, (_, i) => i % s === Math.floor(i / (s * s)) % s);
      return [randn([n, s, 8]), randn([n, t, 8]), boolTensor(hidden, [n * 2, s, s]), randn([t, s])];
    };
    const dynamicAxes = allDynamic({ src: 3, tgt: 3, src_mask: 3, memory_mask: 2, output0: 3 });
    const bytes = exportModel(wrapper, args(4, 3, 2), { inputNames: names, dynamicAxes });
    await expectSame(wrapper, bytes, names, args(4, 3, 2), 1e-4);
    await expectSame(wrapper, bytes, names, args(6, 5, 4), 1e-4);
  });
});

describe('exportModel: masks built inside the forward', () => {
  it('generateSquareSubsequentMask in forward is a constant; isCausal follows the sequence length', async () => {
    manualSeed(84);
    class Causal extends nn.Module {
      encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2);
      decoder = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
      override forward(src: Tensor, tgt: Tensor): Tensor {
        const memory = this.encoder(src, { isCausal: true }) as Tensor;
        const tgtMask = nn.Transformer.generateSquareSubsequentMask(tgt.shape[0]!);
        return this.decoder(tgt, memory, tgtMask) as Tensor;
      }
    }
    const model = new Causal();
    const names = ['src', 'tgt'];
    // The constant tgt mask fixes tgt's length (3); src's length and the batch vary.
    const dynamicAxes = { src: [0, 1], tgt: [1], output0: [1] };
    const bytes = exportModel(model, [randn([5, 2, 8]), randn([3, 2, 8])], { inputNames: names, dynamicAxes });
    await expectSame(model, bytes, names, [randn([5, 2, 8]), randn([3, 2, 8])], 1e-4);
    await expectSame(model, bytes, names, [randn([9, 4, 8]), randn([3, 4, 8])], 1e-4);
  });
});

describe('exportModel: MultiheadAttention masks and weights', () => {
  class Attend extends nn.Module {
    attn = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    override forward(x: Tensor, memory: Tensor, mask: Tensor, padding: Tensor): Tensor[] {
      const [out, weights] = this.attn(x, memory, memory, {
        attnMask: mask,
        keyPaddingMask: padding,
        averageAttnWeights: false,
      });
      return [out, weights!];
    }
  }

  it('a float 3-D attnMask and a float key padding mask as inputs; the per-head weights an output', async () => {
    manualSeed(85);
    const model = new Attend();
    const names = ['x', 'memory', 'mask', 'padding'];
    const floatPadding = (n: number, s: number) =>
      fromArray(
        Float32Array.from(paddingMask(n, s).dataSync() as ArrayLike<number>, (v) => (v ? Number.NEGATIVE_INFINITY : 0)),
        [n, s],
      );
    const args = (l: number, s: number, n: number) => [
      randn([n, l, 8]),
      randn([n, s, 8]),
      randn([n * 2, l, s]),
      floatPadding(n, s),
    ];
    const dynamicAxes = allDynamic({ x: 3, memory: 3, mask: 3, padding: 2, output0: 3, output1: 4 });
    const bytes = exportModel(model, args(3, 4, 2), { inputNames: names, dynamicAxes });
    await expectSame(model, bytes, names, args(3, 4, 2), 1e-4);
    await expectSame(model, bytes, names, args(5, 6, 3), 1e-4);
  });

  it('a bool 2-D attnMask, time-major, needWeights false', async () => {
    manualSeed(86);
    class Bool2d extends nn.Module {
      attn = new nn.MultiheadAttention(8, 4);
      override forward(x: Tensor, mask: Tensor): Tensor {
        return this.attn(x, x, x, { attnMask: mask, needWeights: false })[0];
      }
    }
    const model = new Bool2d();
    const names = ['x', 'mask'];
    const args = (l: number, n: number) => [
      randn([l, n, 8]),
      boolTensor(
        Array.from({ length: l * l }, (_, i) => (i % l) - Math.floor(i / l) === 1),
        [l, l],
      ),
    ];
    const bytes = exportModel(model, args(4, 2), {
      inputNames: names,
      dynamicAxes: allDynamic({ x: 3, mask: 2, output0: 3 }),
    });
    await expectSame(model, bytes, names, args(4, 2), 1e-4);
    await expectSame(model, bytes, names, args(7, 5), 1e-4);
  });
});

describe('exportModel: unbatched (2-D) attention and Transformer input', () => {
  it('nn.Transformer on [S, E] and [T, E] with a [S] key padding mask and tgtIsCausal, at other lengths', async () => {
    manualSeed(87);
    const model = new nn.Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 16,
    });
    class Unbatched extends nn.Module {
      inner = model;
      override forward(src: Tensor, tgt: Tensor, srcPad: Tensor): Tensor {
        return this.inner(src, tgt, {
          srcKeyPaddingMask: srcPad,
          memoryKeyPaddingMask: srcPad,
          tgtIsCausal: true,
        }) as Tensor;
      }
    }
    const wrapper = new Unbatched();
    const names = ['src', 'tgt', 'src_pad'];
    const args = (s: number, t: number) => [randn([s, 8]), randn([t, 8]), paddingMask(3, s).select(0, 2)];
    const bytes = exportModel(wrapper, args(5, 4), {
      inputNames: names,
      dynamicAxes: allDynamic({ src: 1, tgt: 1, src_pad: 1, output0: 1 }),
    });
    await expectSame(wrapper, bytes, names, args(5, 4), 1e-4);
    await expectSame(wrapper, bytes, names, args(8, 3), 1e-4);
  });

  it('MultiheadAttention on [L, E] with a 3-D [heads, L, S] mask and per-head weights', async () => {
    manualSeed(88);
    class Attend extends nn.Module {
      attn = new nn.MultiheadAttention(8, 2);
      override forward(x: Tensor, memory: Tensor, mask: Tensor): Tensor[] {
        const [out, weights] = this.attn(x, memory, memory, { attnMask: mask, averageAttnWeights: false });
        return [out, weights!];
      }
    }
    const model = new Attend();
    const names = ['x', 'memory', 'mask'];
    const args = (l: number, s: number) => [randn([l, 8]), randn([s, 8]), randn([2, l, s])];
    const bytes = exportModel(model, args(3, 4), {
      inputNames: names,
      dynamicAxes: allDynamic({ x: 1, memory: 1, mask: 3, output0: 1, output1: 3 }),
    });
    await expectSame(model, bytes, names, args(3, 4), 1e-4);
    await expectSame(model, bytes, names, args(6, 2), 1e-4);
  });
});
