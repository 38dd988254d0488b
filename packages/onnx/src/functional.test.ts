import '@flint/backend-cpu';
import { cat, fromArray, getBackend, manualSeed, nn, randn, type Tensor, where } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel } from './index.js';
import { decodeModel } from './proto/index.js';
import { expectOrtMatches, Joins, MoreMath, Picks } from './test-models.js';

const dynamicBatch = { inputNames: ['input'], outputNames: ['output'], dynamicAxes: { input: [0], output: [0] } };

describe('exportModel: functional code (free functions and more Tensor methods)', () => {
  it('cat, stack, where (tensor, scalar and constant branches), chunk, comparisons and maskedFill match within 1e-5 at two batch sizes', async () => {
    manualSeed(91);
    const model = new Joins();
    const bytes = exportModel(model, randn([2, 4, 6]), dynamicBatch);
    await expectOrtMatches(model, bytes, [randn([2, 4, 6]), randn([5, 4, 6])], 1e-5);
  });

  it('max/min/amax/argmax/argmin, expand, split, unbind, logical ops, casts (float/int/bool/double/long/to/typeAs) and index with an index tensor match within 1e-5', async () => {
    manualSeed(92);
    const model = new Picks();
    const bytes = exportModel(model, randn([3, 4, 6]), dynamicBatch);
    await expectOrtMatches(model, bytes, [randn([3, 4, 6]), randn([6, 4, 6])], 1e-5);
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
    await expectOrtMatches(model, bytes, [randn([4, 3]), randn([1, 3])], 1e-6);
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

describe('exportModel: more Tensor methods', () => {
  it('elementwise math, mm/bmm/mv/dot, prod/logsumexp/all/any, cumsum, flip, triu/tril, tile/repeat match within 1e-5 at two batch sizes', async () => {
    manualSeed(94);
    const model = new MoreMath();
    const bytes = exportModel(model, randn([2, 4, 6]), dynamicBatch);
    await expectOrtMatches(model, bytes, [randn([2, 4, 6]), randn([5, 4, 6])], 1e-5);
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
    await expectOrtMatches(model, bytes, [randn([3, 5]).mul(2), randn([7, 5]).mul(2)], 1e-5);
  });
});
