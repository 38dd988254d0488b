/**
 * Models for the tests: the three mnist models as apps/mnist/src/models.ts writes them (this
 * package cannot depend on @flint/mnist, which will depend on it for `mnist export`), and models
 * covering the other exported modules and traced methods.
 */
import { cat, fromArray, nn, stack, type Tensor, where } from '@flint/core';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export class MlpSmall extends nn.Module {
  flatten = new nn.Flatten();
  layers = new nn.Sequential(
    new nn.Linear(784, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 10),
  );
  override forward(x: Tensor): Tensor {
    return this.layers(this.flatten(x));
  }
}

export class Mlp extends nn.Module {
  flatten = new nn.Flatten();
  layers = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
  override forward(x: Tensor): Tensor {
    return this.layers(this.flatten(x));
  }
}

export class LeNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
  );
  classifier = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
  override forward(x: Tensor): Tensor {
    return this.classifier(this.features(x));
  }
}

/** Run `bytes` in ONNX Runtime (CPU) on float32, int32 or bool inputs; the first output's values and dims. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, Tensor>,
): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    const values = await t.data();
    inputs[name] =
      t.dtype === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(values as ArrayLike<number>), [...t.shape])
        : t.dtype === 'bool'
          ? new ort.Tensor(
              'bool',
              Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0)),
              [...t.shape],
            )
          : new ort.Tensor('float32', Float32Array.from(values as ArrayLike<number>), [...t.shape]);
  }
  const out = await session.run(inputs);
  await session.release();
  return session.outputNames.map((n) => ({ data: out[n]!.data as Float32Array, dims: out[n]!.dims }));
}

/** The largest |a - b| over two equal-length arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Flint's output (the model in eval mode, one tensor) and ONNX Runtime's on the graph input
 * `input` agree within `tol` on each input; returns the largest difference.
 */
export async function expectOrtMatches(
  model: nn.Module,
  bytes: Uint8Array,
  inputs: Tensor[],
  tol: number,
): Promise<number> {
  model.eval();
  let worst = 0;
  for (const x of inputs) {
    const expected = model(x) as Tensor;
    const [got] = await runOrt(bytes, { input: x });
    expect(got!.dims).toEqual(expected.shape);
    const d = maxAbsDiff(got!.data, expected.dataSync() as ArrayLike<number>);
    if (process.env.ONNX_REPORT_DIFFS === '1') console.log(`max abs diff ${d.toExponential(2)} at input [${x.shape}]`);
    expect(d).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  return worst;
}

/** Every exported module kind but the recurrent ones, on [N, 3, 16, 16] images. */
export class Zoo extends nn.Module {
  stem = new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 'same' }),
    new nn.BatchNorm2d(8),
    new nn.LeakyReLU(0.2),
    new nn.Conv2d(8, 8, 3, { stride: 2, padding: 1, groups: 2, bias: false }),
    new nn.ReLU6(),
    new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }),
    new nn.MaxPool2d(3, { stride: 1, padding: 1 }),
  );
  pool = new nn.AdaptiveAvgPool2d(1);
  head = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(8, 32),
    new nn.GELU(),
    new nn.LayerNorm(32),
    new nn.Dropout(0.5),
    new nn.ELU(0.7),
    new nn.Linear(32, 16),
    new nn.SiLU(),
    new nn.Hardtanh(-0.5, 0.5),
    new nn.Softplus(2),
    new nn.Linear(16, 10),
    new nn.Tanh(),
    new nn.LogSoftmax(1),
  );
  override forward(x: Tensor): Tensor {
    return this.head(this.pool(this.stem(x)));
  }
}

/** Conv1d, BatchNorm1d and the 1-D pools on [N, 4, 20] sequences, GELU tanh and Softmax. */
export class Seq1d extends nn.Module {
  body = new nn.Sequential(
    new nn.Conv1d(4, 6, 5, { padding: 2, dilation: 1 }),
    new nn.BatchNorm1d(6),
    new nn.GELU('tanh'),
    new nn.MaxPool1d(2),
    new nn.Conv1d(6, 6, 3, { dilation: 2 }),
    new nn.AvgPool1d(2),
    new nn.Sigmoid(),
    new nn.Flatten(),
    new nn.Linear(18, 5),
    new nn.Softmax(-1),
  );
  override forward(x: Tensor): Tensor {
    return this.body(x);
  }
}

/** Embedding (int32 tokens [N, T]), a mean over time in functional code, then a classifier. */
export class Bag extends nn.Module {
  embed = new nn.Embedding(50, 12);
  out = new nn.Linear(12, 3);
  override forward(tokens: Tensor): Tensor {
    return this.out(this.embed(tokens).mean(1));
  }
}

/** Functional code in forward: the traced Tensor methods, with a batch-size-independent reshape. */
export class Functional extends nn.Module {
  proj = new nn.Linear(6, 6);
  override forward(x: Tensor): Tensor {
    // x: [N, 2, 3, 4]
    const a = x.permute(0, 2, 1, 3).reshape(-1, 3, 8); // [N, 3, 8]
    const b = a.transpose(1, 2).flatten(1).view(-1, 4, 6); // [N, 4, 6]
    const c = this.proj(b).relu().add(0.5).mul(b.sigmoid()).sub(b.tanh(), 2).div(3); // [N, 4, 6]
    const d = c.matmul(b.transpose(1, 2)).exp().neg().softmax(-1); // [N, 4, 4]
    const e = d.unsqueeze(1).squeeze(1).sum(2, true).logSoftmax(1); // [N, 4, 1]
    return e
      .squeeze(-1)
      .add(d.mean([1, 2]).unsqueeze(1))
      .add(c.sum(-1)); // [N, 4]
  }
}

/** An LSTM classifier on int32 tokens [N, T]: embedding, 2-layer LSTM, the last layer's h_n. */
export class LstmClassifier extends nn.Module {
  embed = new nn.Embedding(30, 8);
  lstm = new nn.LSTM(8, 16, { numLayers: 2, batchFirst: true });
  out = new nn.Linear(16, 4);
  override forward(tokens: Tensor): Tensor {
    const [, [h]] = this.lstm(this.embed(tokens)) as [Tensor, [Tensor, Tensor]];
    return this.out(h.select(0, -1));
  }
}

/** A bidirectional GRU and an RNN (ReLU) over time-major [T, N, 5] input; the outputs summed. */
export class Recurrent extends nn.Module {
  gru = new nn.GRU(5, 6, { bidirectional: true });
  rnn = new nn.RNN(12, 3, { nonlinearity: 'relu', numLayers: 2 });
  override forward(x: Tensor): Tensor {
    const [y] = this.gru(x) as [Tensor, Tensor];
    const [z, h] = this.rnn(y) as [Tensor, Tensor];
    return z.sum(0).add(h.sum(0));
  }
}

/** A Transformer encoder classifier on [N, T, 16] features: 2 post-norm layers, a pre-norm GELU layer. */
export class EncoderClassifier extends nn.Module {
  encoder = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true }),
    2,
    new nn.LayerNorm(16),
  );
  extra = new nn.TransformerEncoderLayer(16, 2, {
    dimFeedforward: 24,
    activation: 'gelu',
    normFirst: true,
    batchFirst: true,
  });
  out = new nn.Linear(16, 3);
  override forward(x: Tensor): Tensor {
    return this.out(this.extra(this.encoder(x)).mean(1));
  }
}

/** MultiheadAttention called directly (time-major, its averaged weights used too). */
export class Attention extends nn.Module {
  attn = new nn.MultiheadAttention(8, 2);
  override forward(x: Tensor): Tensor {
    const [out, weights] = this.attn(x, x, x) as [Tensor, Tensor];
    return out.sum(0).add(weights.sum(2).sum(1, true));
  }
}

/** Transposed convolutions and GroupNorm on [N, 4, 6, 6], then more traced methods. */
export class Decoder extends nn.Module {
  up = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1 });
  norm = new nn.GroupNorm(3, 6);
  up1d = new nn.ConvTranspose1d(6, 2, 4, { stride: 2, groups: 2 });
  w = new nn.Linear(26, 26);
  override forward(x: Tensor): Tensor {
    const y = this.norm(this.up(x)).mean(3); // [N, 6, 12]
    const z = this.up1d(y.contiguous()); // [N, 2, 26]
    const m = this.w.weight.t().detach().clone(); // [26, 26]
    const w = z.matmul(m).abs().add(1).sqrt().log().erf().pow(2).add(z.abs().add(0.1).pow(z.sigmoid()).mul(0.1));
    return w.clamp(0.05, null).clip(null, 0.9).add(z.clamp(-0.5, 0.5));
  }
}

/** Slicing and gathering methods on x [N, 6, 5] with int32 positions [N, 3, 2] in 0..2. */
export class Slicing extends nn.Module {
  index = fromArray(Int32Array.from([4, 0, 2]), [3], { dtype: 'int32' });
  override forward(x: Tensor, positions: Tensor): Tensor {
    const a = x.slice(1, 1, null, 2).narrow(2, -4, 3); // [N, 3, 3]
    return a
      .gather(2, positions)
      .sum(2)
      .add(x.indexSelect(2, this.index).slice(1, 0, 3).mean(2)); // [N, 3]
  }
}

/** A bidirectional 2-layer LSTM from given initial states: forward(x [T, N, 3], h0, c0 [4, N, 5]). */
export class LstmWithState extends nn.Module {
  lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
  override forward(x: Tensor, h0: Tensor, c0: Tensor): Tensor {
    const [y, [h, c]] = this.lstm(x, [h0, c0]) as [Tensor, [Tensor, Tensor]];
    return y.sum(0).add(h.sum(0).sub(c.sum(0)).sum(1, true)); // [N, 10]
  }
}

/** The tensors a model returns (a Tensor, or an array of them with nulls dropped). */
export function outputsOf(y: unknown): Tensor[] {
  return (Array.isArray(y) ? y : [y]).filter((t): t is Tensor => t !== null);
}

/** A bool tensor from booleans. */
export const boolTensor = (values: boolean[], shape: number[]): Tensor =>
  fromArray(
    Uint8Array.from(values, (v) => (v ? 1 : 0)),
    shape,
    { dtype: 'bool' },
  );

/** A bool key padding mask [n, s]: batch row b pads its last (b mod 3) positions, never all of them. */
export function paddingMask(n: number, s: number): Tensor {
  const data = Array.from({ length: n * s }, (_, i) => i % s >= s - (Math.floor(i / s) % 3));
  return boolTensor(data, [n, s]);
}

/** cat, stack and where (free functions) with chunk, comparisons, maskedFill and where's scalar branch. */
export class Joins extends nn.Module {
  fc = new nn.Linear(6, 6);
  override forward(x: Tensor): Tensor {
    const h = this.fc(x) as Tensor; // [N, 4, 6]
    const [a, b] = h.chunk(2, -1) as [Tensor, Tensor]; // [N, 4, 3] each
    const joined = cat([a.relu(), b.neg()], 1); // [N, 8, 3]
    const stacked = stack([a, b], 1).sum(1); // [N, 2, 4, 3] -> [N, 4, 3]
    const picked = where(a.gt(0), a, b.mul(2));
    // A scalar branch (a constant fill), and a constant tensor made in forward, broadcast.
    const scalar = where(b.lt(0.1), 0, b);
    const constant = where(a.le(b), fromArray(Float32Array.from([1, -2, 3]), [3]), a);
    const filled = picked.maskedFill(b.ge(0.5), -1);
    // An int32 branch against a fractional scalar: where's body casts it to float32 (a Cast kernel).
    const promoted = where(b.gt(0), b.mul(3).int(), 0.5);
    const all = cat([joined, stacked, picked, scalar, constant, filled, promoted], 1); // [N, 32, 3]
    return cat([all.flatten(1), stack([a.sum([1, 2]), b.mean([1, 2])], -1)], 1);
  }
}

/** max/min/argmax reductions, expand, split/unbind, logical ops, casts, index with an index tensor. */
export class Picks extends nn.Module {
  fc = new nn.Linear(6, 6);
  positions = fromArray(Int32Array.from([3, 0, 3]), [3], { dtype: 'int32' });
  override forward(x: Tensor): Tensor {
    const h = this.fc(x) as Tensor; // [N, 4, 6]
    const [left, right] = h.split([2, 4], 2) as [Tensor, Tensor];
    const { values, indices } = right.max(2); // [N, 4]
    const low = left.min(1, true).values; // [N, 1, 2]
    const peaks = h.amax(-1, true).expand(-1, 4, 3).flatten(1); // [N, 12]
    const counts = h.argmax(-1).float().add(h.argmin(1).float().sum(1, true)); // [N, 4]
    const rows = h.unbind(1); // 4 x [N, 6]
    const both = rows[0]!.gt(0).logicalAnd(rows[1]!.lt(0)).logicalOr(rows[2]!.eq(rows[3]!).logicalNot());
    const picked = h.index(null, this.positions, [1, 5, 2]); // [N, 3, 2]
    const steps = h.index('...', 0, 'newaxis').maximum(h.select(2, 1).unsqueeze(-1)).minimum(0.5); // [N, 4, 1]
    return cat(
      [
        values,
        indices.float(),
        low.flatten(1),
        peaks,
        counts,
        both.float(),
        picked.flatten(1),
        h.index(null, -1, this.positions), // a number next to the index tensor: [N, 3]
        steps.flatten(1),
        h.ne(0).int().float().sum(-1),
        h.mul(3).double().to('int32').to('cpu').typeAs(h).sum(-1), // truncated toward zero
        h.mul(3).long().to('float32').add(h.argmax(-1, true).long().float()).sum(-1),
        values.sub(h.max().add(h.min())),
      ],
      1,
    );
  }
}

/** Elementwise math, matrix products, prod/logsumexp/all/any, cumsum, flip, triu/tril, tile/repeat. */
export class MoreMath extends nn.Module {
  fc = new nn.Linear(6, 6);
  square = fromArray(
    Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)),
    [6, 6],
  );
  vector = fromArray(
    Float32Array.from({ length: 6 }, (_, i) => i - 2.5),
    [6],
  );
  override forward(x: Tensor): Tensor {
    const h = this.fc(x) as Tensor; // [N, 4, 6]
    const bounded = h.tanh().mul(0.9);
    const positive = h.abs().add(1);
    const math = bounded
      .asin()
      .add(bounded.acos())
      .add(bounded.atan())
      .add(h.sin().mul(h.cos()))
      .add(bounded.tan())
      .add(bounded.sinh().sub(bounded.cosh()))
      .add(h.mul(3).floor().add(h.mul(3).ceil()).add(h.mul(3).round()).add(h.mul(3).trunc()))
      .add(h.sign().add(positive.reciprocal()).add(positive.rsqrt()).add(h.square()))
      .add(h.abs().log1p().add(bounded.expm1())); // [N, 4, 6]
    const products = h
      .matmul(this.square)
      .add(h.bmm(h.transpose(1, 2)).sum(-1, true).mul(0.1)) // scaled as below
      .add(h.select(1, 0).mm(this.square).unsqueeze(1))
      .add(h.select(1, 1).mv(this.vector).unsqueeze(-1).unsqueeze(-1))
      .add(this.vector.dot(this.vector)); // [N, 4, 6]
    const reduced = positive
      .prod(2, true)
      .log()
      .add(h.logsumexp(-1, true))
      .add(h.gt(-1).all(2, true).float())
      .add(h.gt(1).any(2, true).float()); // [N, 4, 1]
    const shaped = h
      .cumsum(2)
      .add(h.flip(1, 2))
      .add(h.triu(1).add(h.tril(-1)))
      .add(h.select(1, 2).unsqueeze(1).tile(4, 1))
      .add(h.narrow(2, 0, 3).repeat(1, 1, 2)); // [N, 4, 6]
    return (
      cat([math, products, reduced, shaped], 2)
        .flatten(1)
        // Scaled so that the sum stays near 1, where float32's spacing is far below the tolerance.
        .add(h.gt(0).cumsum(2).float().sum([1, 2], true).squeeze(-1).mul(0.01))
    );
  }
}

/** A batch-first GRU read at its last steps: select, narrow and index with negative positions. */
export class LastSteps extends nn.Module {
  gru = new nn.GRU(5, 6, { batchFirst: true });
  override forward(x: Tensor): Tensor {
    const [y] = this.gru(x) as [Tensor, Tensor]; // [N, T, 6]
    return y
      .select(1, -1)
      .add(y.narrow(1, -3, 2).sum(1))
      .add(y.index(null, -2)); // [N, 6]
  }
}
