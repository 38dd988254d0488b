import '@flint/backend-cpu';
import { cat, fromArray, getBackend, manualSeed, nn, randn, stack, type Tensor, where } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel } from './index.js';
import { decodeModel } from './proto/index.js';
import { maxAbsDiff, runOrt } from './test-models.js';

/** Flint's output and ONNX Runtime's agree within `tol` at each batch size; the largest difference. */
async function expectSame(model: nn.Module, bytes: Uint8Array, inputs: Tensor[], tol: number): Promise<number> {
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

const dynamicBatch = { inputNames: ['input'], outputNames: ['output'], dynamicAxes: { input: [0], output: [0] } };

/** cat, stack and where (free functions) with chunk, comparisons, maskedFill and where's scalar branch. */
class Joins extends nn.Module {
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
class Picks extends nn.Module {
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

describe('exportModel: functional code (free functions and more Tensor methods)', () => {
  it('cat, stack, where (tensor, scalar and constant branches), chunk, comparisons and maskedFill match within 1e-5 at two batch sizes', async () => {
    manualSeed(91);
    const model = new Joins();
    const bytes = exportModel(model, randn([2, 4, 6]), dynamicBatch);
    await expectSame(model, bytes, [randn([2, 4, 6]), randn([5, 4, 6])], 1e-5);
  });

  it('max/min/amax/argmax/argmin, expand, split, unbind, logical ops, casts (float/int/bool/double/long/to/typeAs) and index with an index tensor match within 1e-5', async () => {
    manualSeed(92);
    const model = new Picks();
    const bytes = exportModel(model, randn([3, 4, 6]), dynamicBatch);
    await expectSame(model, bytes, [randn([3, 4, 6]), randn([6, 4, 6])], 1e-5);
  });
});

describe('exportModel: free functions on parameters', () => {
  it('a parameter in cat keeps its state-dict name (no copy as a constant)', async () => {
    manualSeed(93);
    class Prefixed extends nn.Module {
      prefix = new nn.Parameter(randn([2, 3]));
      override forward(x: Tensor): Tensor {
        return cat([this.prefix, x]).mul(2);
      }
    }
    const model = new Prefixed();
    const bytes = exportModel(model, randn([4, 3]), { ...dynamicBatch, dynamicAxes: { input: [0], output: [0] } });
    await expectSame(model, bytes, [randn([4, 3]), randn([1, 3])], 1e-6);
    const graph = decodeModel(bytes).graph!;
    expect((graph.initializer ?? []).filter((t) => t.dims?.length === 2).map((t) => t.name)).toEqual(['prefix']);
  });
});

describe('exportModel: the kernel wrappers of the free functions', () => {
  it('are removed when the export returns and when it throws', () => {
    const kernels = getBackend('cpu').kernels;
    const before = { concat: kernels.concat, where: kernels.where, matmul: kernels.matmul };
    exportModel(new Joins(), randn([2, 4, 6]));
    class Throws extends nn.Module {
      override forward(x: Tensor): Tensor {
        return cat([x, x], 1).add(nn.functional.gelu(cat([x, x], 1)));
      }
    }
    expect(() => exportModel(new Throws(), randn([2, 3]))).toThrow(/cannot be exported/);
    expect(kernels.concat).toBe(before.concat);
    expect(kernels.where).toBe(before.where);
    expect(kernels.matmul).toBe(before.matmul);
  });
});

describe('exportModel: functional code it cannot express is an error naming the op and the module', () => {
  it('a traced value read back to the host (item())', () => {
    class ItemScale extends nn.Module {
      fc = new nn.Linear(3, 3);
      override forward(x: Tensor): Tensor {
        const h = this.fc(x) as Tensor;
        return h.mul(h.sum().item());
      }
    }
    expect(() => exportModel(new ItemScale(), randn([2, 3]))).toThrow(
      'onnx export: a traced value of shape [] is read back to the host in the model (ItemScale) (item(), tolist(), dataSync()',
    );
  });

  it('a bool mask index', () => {
    class Masked extends nn.Module {
      override forward(x: Tensor): Tensor {
        return x.index(x.gt(0));
      }
    }
    expect(() => exportModel(new Masked(), randn([2, 3]))).toThrow(
      'onnx export: x.index(...) in the model (Masked) cannot be exported: a bool mask index (its result shape depends on the values)',
    );
  });

  it('several index tensors, or a number and an index tensor apart', () => {
    const rows = fromArray(Int32Array.from([0, 1]), [2], { dtype: 'int32' });
    class Two extends nn.Module {
      override forward(x: Tensor): Tensor {
        return x.index(rows, rows);
      }
    }
    class Apart extends nn.Module {
      override forward(x: Tensor): Tensor {
        return x.index(0, null, rows);
      }
    }
    expect(() => exportModel(new Two(), randn([2, 3]))).toThrow(
      'onnx export: x.index(...) in the model (Two) cannot be exported: more than one index tensor',
    );
    expect(() => exportModel(new Apart(), randn([2, 3, 4]))).toThrow(
      'onnx export: x.index(...) in the model (Apart) cannot be exported: a number index and an index tensor separated by another index',
    );
  });

  it('a free function outside cat, stack and where (after a where that exports)', () => {
    class Free extends nn.Module {
      inner = new nn.Sequential(new Max());
      override forward(x: Tensor): Tensor {
        return this.inner(x) as Tensor;
      }
    }
    class Max extends nn.Module {
      override forward(x: Tensor): Tensor {
        return where(x.gt(0), x, 0).add(nn.functional.gelu(x));
      }
    }
    expect(() => exportModel(new Free(), randn([2, 3]))).toThrow(
      /op 'gelu' called in module 'inner\.0' \(Max\) cannot be exported/,
    );
  });
});

/** Elementwise math, matrix products, prod/logsumexp/all/any, cumsum, flip, triu/tril, tile/repeat. */
class MoreMath extends nn.Module {
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

describe('exportModel: more Tensor methods', () => {
  it('elementwise math, mm/bmm/mv/dot, prod/logsumexp/all/any, cumsum, flip, triu/tril, tile/repeat match within 1e-5 at two batch sizes', async () => {
    manualSeed(94);
    const model = new MoreMath();
    const bytes = exportModel(model, randn([2, 4, 6]), dynamicBatch);
    await expectSame(model, bytes, [randn([2, 4, 6]), randn([5, 4, 6])], 1e-5);
  });
});

describe('exportModel: a core function composed of traced methods and where', () => {
  it('F.softplus (mul, maximum, abs, exp, log1p, div, gt, where) exports and matches within 1e-5', async () => {
    manualSeed(95);
    class Soft extends nn.Module {
      fc = new nn.Linear(5, 5);
      override forward(x: Tensor): Tensor {
        return nn.functional.softplus(this.fc(x) as Tensor, 2, 1);
      }
    }
    const model = new Soft();
    const bytes = exportModel(model, randn([3, 5]), dynamicBatch);
    await expectSame(model, bytes, [randn([3, 5]).mul(2), randn([7, 5]).mul(2)], 1e-5);
  });
});
