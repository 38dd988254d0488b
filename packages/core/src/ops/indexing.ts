/** Indexing kernels' ops: gather, scatterAdd, indexSelect, oneHot — with gradients. */
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { op, recordGrad } from './op.js';
import { indexSelectKernel, oneHotKernel } from './optional-kernels.js';
import { constant, output } from './util.js';
import { normalizeDim } from './layout.js';

function requireIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') {
    throw new Error(`${op}(): Expected dtype int32 for index, got ${index.dtype} (shape ${formatShape(index.shape)})`);
  }
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('gather', index);
  const axis = normalizeDim(dim, x.ndim, 'gather');
  if (index.ndim !== x.ndim) {
    throw new Error(
      `gather(): Index tensor must have the same number of dimensions as input tensor (index ${formatShape(index.shape)}, input ${formatShape(x.shape)})`,
    );
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== axis && index.shape[i]! > x.shape[i]!) {
      throw new Error(
        `gather(): Size does not match at dimension ${i} expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${axis}`,
      );
    }
  }
  return op('gather', [x, index], (backend) => {
    const out = output(backend, backend.kernels.gather(x.ref, axis, index.ref), index.shape, x.dtype);
    const shape = x.shape;
    // The rules use the recorded ops (scatterAdd <-> gather), so createGraph differentiates them again.
    return recordGrad(out, [x], [index], (g, [si]) => [
      scatterAdd(constant(g.backend, 0, g.dtype, shape), axis, si!, g),
    ]);
  });
}

export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  requireIndex('scatterAdd', index);
  const axis = normalizeDim(dim, x.ndim, 'scatterAdd');
  if (index.ndim !== x.ndim || src.ndim !== x.ndim) {
    throw new Error(
      `scatterAdd(): Index tensor must have the same number of dimensions as self and src (self ${formatShape(x.shape)}, index ${formatShape(index.shape)}, src ${formatShape(src.shape)})`,
    );
  }
  for (let i = 0; i < x.ndim; i++) {
    if (index.shape[i]! > src.shape[i]! || (i !== axis && index.shape[i]! > x.shape[i]!)) {
      throw new Error(
        `scatterAdd(): Expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${axis} and to be smaller size than src ${formatShape(src.shape)}`,
      );
    }
  }
  if (src.dtype !== x.dtype)
    throw new Error(`scatterAdd(): Expected self.dtype to be equal to src.dtype (${x.dtype} vs ${src.dtype})`);
  // The kernel reads src over index's extent; make src exactly index-shaped first (the recorded
  // slices keep their graph).
  return op('scatterAdd', [x, index, src], (backend) => {
    let srcUsed = src;
    for (let i = 0; i < src.ndim; i++) {
      if (srcUsed.shape[i] !== index.shape[i]) srcUsed = srcUsed.slice(i, 0, index.shape[i]!);
    }
    const out = output(backend, backend.kernels.scatterAdd(x.ref, axis, index.ref, srcUsed.ref), x.shape, x.dtype);
    return recordGrad(out, [x, srcUsed], [index], (g, [si]) => [g, gather(g, axis, si!)]);
  });
}

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireIndex('indexSelect', index);
  if (index.ndim > 1)
    throw new Error(`index_select(): Index is supposed to be a vector (got shape ${formatShape(index.shape)})`);
  const axis = normalizeDim(dim, x.ndim, 'indexSelect');
  return op('indexSelect', [x, index], () => {
    const idx = index.ndim === 0 ? index.reshape([1]) : index;
    const shape = x.shape.map((d, i) => (i === axis ? idx.shape[0]! : d));
    const out = indexSelectKernel(x, axis, idx, shape);
    const from = x.shape;
    return recordGrad(out, [x], [idx], (g, [ix]) => {
      // Scatter-add rows back: the index broadcast over g's shape.
      const viewShape = from.map((_, i) => (i === axis ? ix!.shape[0]! : 1));
      const full = ix!.reshape(viewShape).expand(g.shape);
      return [scatterAdd(constant(g.backend, 0, g.dtype, from), axis, full, g)];
    });
  });
}

/** F.one_hot: int32 class indices -> [..., numClasses]; int32 by default as PyTorch (int64 there). */
export function oneHot(indices: Tensor, numClasses = -1, dtype: 'int32' | 'float32' = 'int32'): Tensor {
  requireIndex('oneHot', indices);
  return op('oneHot', [indices], () => {
    let n = numClasses;
    if (n < 0) {
      if (indices.numel === 0) throw new Error('one_hot: Can not infer total number of classes from empty tensor.');
      n = indices.max().item() + 1; // PyTorch also reads back to infer the class count.
    }
    return oneHotKernel(indices, n, dtype);
  });
}
