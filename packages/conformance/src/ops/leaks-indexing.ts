/**
 * Leak-sweep builders (see leaks.ts) for indexing (core's ops/subscript.ts and ops/scatter.ts):
 * x[...] reads and writes, masks, scatter/scatterReduce and the index_* ops, as methods, in-place
 * methods and free functions. In-place variants write into a clone (a graph tensor in the
 * gradient passes, so the write records history) and into a plain tensor.
 */
import type { LeakBuilder, LeakInputs } from './leaks.js';
import type { Tensor } from './adapters.js';

/** A tensor an in-place op may write: a clone of a grad-requiring leaf in the gradient passes. */
const target = (m: LeakInputs, shape: readonly number[]): Tensor => m.f(shape).clone();

export function indexingBuilders(): Record<string, LeakBuilder> {
  return {
    'Tensor.setIndex': {
      slice: (m) => target(m, [3, 4]).setIndex([null, [1, 3]], m.f([3, 2])),
      'number, ellipsis, newaxis': (m) => target(m, [2, 3, 4]).setIndex(['...', 'newaxis', 1], 0.5),
      'index tensors, broadcast value': (m) => target(m, [4, 3]).setIndex([m.i([3, 0, 9])], m.f([3])),
      'mask, scalar (masked fill)': (m) => target(m, [2, 3]).setIndex([m.b([1, 0, 1, 0, 0, 1], [2, 3])], -1),
      'int32 cast from float': (m) => m.i([1, 2, 3, 4], [2, 2]).setIndex([0], m.f([2], { grad: false })),
    },
    'Tensor.indexPut': {
      tensors: (m) => m.f([4, 3]).indexPut([m.i([1, 3])], m.f([2, 3])),
      accumulate: (m) => m.f([4, 3]).indexPut([m.i([1, 1]), m.i([0, 0])], m.f([2]), true),
    },
    // The mask variant reads the mask back (webgpu's skip list names indexPut for it).
    indexPut: {
      new: (m) => m.api.indexPut(m.f([4, 3]), [null, m.i([2, 0])], 1.5),
      'mask, tensor values': (m) => m.api.indexPut(m.f([2, 3]), [m.b([0, 1])], m.f([3])),
    },
    'Tensor.indexPut_': {
      overwrite: (m) => target(m, [4, 3]).indexPut_([m.i([1, 3])], m.f([2, 3])),
      accumulate: (m) => target(m, [4, 3]).indexPut_([m.i([2, 2])], m.f([3]), true),
    },
    'Tensor.maskedFill_': { new: (m) => target(m, [2, 3]).maskedFill_(m.b([1, 0, 1]), 2) },
    'Tensor.maskedSelect': {
      same: (m) => m.f([2, 3]).maskedSelect(m.b([1, 0, 1, 1, 0, 0], [2, 3])),
      broadcast: (m) => m.f([2, 3]).maskedSelect(m.b([0, 1, 1])),
    },
    maskedSelect: { new: (m) => m.api.maskedSelect(m.f([3]), m.b([1, 0, 1])) },
    'Tensor.take': { new: (m) => m.f([2, 3]).take(m.i([5, 0, -1], [3])) },
    take: { new: (m) => m.api.take(m.f([2, 3]), m.i([1, 1])) },
    narrow: { new: (m) => m.api.narrow(m.f([4, 3]), -1, -2, 2) },
    select: { new: (m) => m.api.select(m.f([4, 3]), 0, 2) },

    'Tensor.scatter': {
      src: (m) => m.f([3, 4]).scatter(1, m.i([0, 0, 3, 1, 2, 2], [3, 2]), m.f([3, 2])),
      'larger src': (m) => m.f([3, 4]).scatter(0, m.i([2, 0], [1, 2]), m.f([2, 4])),
      value: (m) => m.f([3, 4]).scatter(1, m.i([0, 3, 1], [3, 1]), 2.5),
      'reduce add': (m) => m.f([3, 4]).scatter(1, m.i([0, 0, 3, 1, 2, 2], [3, 2]), m.f([3, 2]), { reduce: 'add' }),
      'value, multiply': (m) => m.f([3, 4]).scatter(1, m.i([0, 3, 1], [3, 1]), 2, { reduce: 'multiply' }),
    },
    scatter: { new: (m) => m.api.scatter(m.f([3, 4]), -1, m.i([1, 1, 0], [3, 1]), m.f([3, 1])) },
    'Tensor.scatter_': { new: (m) => target(m, [3, 4]).scatter_(1, m.i([0, 3, 1], [3, 1]), m.f([3, 1])) },
    'Tensor.scatterAdd_': { new: (m) => target(m, [3, 4]).scatterAdd_(1, m.i([0, 0, 1], [3, 1]), m.f([3, 1])) },
    'Tensor.scatterReduce': Object.fromEntries(
      (['sum', 'prod', 'mean', 'amax', 'amin'] as const).flatMap((reduce) => [
        [
          reduce,
          (m: LeakInputs) => m.f([3, 4]).scatterReduce(0, m.i([0, 0, 2, 1, 0, 0, 2, 1], [2, 4]), m.f([2, 4]), reduce),
        ],
        [
          `${reduce}, not including self`,
          (m: LeakInputs) =>
            m.f([3, 4]).scatterReduce(1, m.i([0, 0, 3], [3, 1]), m.f([3, 1]), reduce, { includeSelf: false }),
        ],
      ]),
    ),
    scatterReduce: {
      int32: (m) => m.api.scatterReduce(m.i([1, 2, 3, 4]), 0, m.i([0, 0]), m.i([5, 6]), 'mean'),
    },
    'Tensor.scatterReduce_': {
      new: (m) => target(m, [3, 4]).scatterReduce_(1, m.i([0, 0, 3], [3, 1]), m.f([3, 1]), 'amax'),
    },
    'Tensor.indexAdd': { new: (m) => m.f([4, 3]).indexAdd(0, m.i([3, 3]), m.f([2, 3]), { alpha: 2 }) },
    indexAdd: { new: (m) => m.api.indexAdd(m.f([4, 3]), 1, m.i([2]), m.f([4, 1])) },
    'Tensor.indexAdd_': { new: (m) => target(m, [4, 3]).indexAdd_(0, m.i([0, 1]), m.f([2, 3])) },
    'Tensor.indexCopy': { new: (m) => m.f([4, 3]).indexCopy(0, m.i([3, 1]), m.f([2, 3])) },
    indexCopy: { new: (m) => m.api.indexCopy(m.f([4, 3]), -1, m.i([0]), m.f([4, 1])) },
    'Tensor.indexCopy_': { new: (m) => target(m, [4, 3]).indexCopy_(0, m.i([2]), m.f([1, 3])) },
    'Tensor.indexFill': { new: (m) => m.f([4, 3]).indexFill(1, m.i([0, 2]), -1) },
    indexFill: { new: (m) => m.api.indexFill(m.f([4, 3]), 0, m.i([-1]), 3) },
    'Tensor.indexFill_': { new: (m) => target(m, [4, 3]).indexFill_(0, m.i([1, 1]), 0) },
  };
}
