/**
 * Kernels that are compositions in disguise: a backend may provide them (one fused pass), and when
 * it does not, core composes them from required kernels here. Ops call these instead of the
 * backend's kernel, so they run the same on a backend that omits any of them. No autograd here:
 * the ops record one gradient rule for either path. (softmax, logSoftmax and linear, whose
 * fallbacks are compositions of recorded ops, keep theirs next to the op.)
 *
 * Each composition matches PyTorch at the edges the kernel conformance cases pin down: sign(NaN) is
 * 0, leakyRelu(-0) is -0, reciprocal(-0) is -inf, the comparisons are false against NaN (ne true),
 * argmin takes the first of tied minima and counts NaN as the minimum, as argmax does the maximum.
 */
import type { Backend, DType, Shape, TensorRef } from '../backend/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { op } from './op.js';
import { output } from './util.js';

export type OptionalUnaryName = 'sigmoid' | 'rsqrt' | 'reciprocal' | 'square' | 'sign';
export type OptionalCompareName = 'ne' | 'le' | 'ge';

/** A kernel output as a tensor (freed by the enclosing op's scope unless returned). */
function wrap(backend: Backend<unknown>, handle: unknown, shape: Shape, dtype: DType): Tensor {
  return output(backend, handle, shape, dtype);
}

function scalar(backend: Backend<unknown>, dtype: DType, value: number): Tensor {
  return wrap(backend, backend.kernels.fill([], dtype, value), [], dtype);
}

/** A view of `t`'s storage with another shape of the same size (inputs are contiguous). */
function viewRef(t: Tensor, shape: Shape): TensorRef<unknown> {
  return { storage: t.ref.storage, shape, dtype: t.dtype };
}

/** `name(x)`: the backend's kernel when it has one, else its composition. Same shape and dtype as x. */
export function unaryKernel(name: OptionalUnaryName, x: Tensor): Tensor {
  const b = x.backend;
  const kernel = b.kernels[name];
  if (kernel !== undefined) return wrap(b, kernel(x.ref), x.shape, x.dtype);
  return op(name, () => {
    const k = b.kernels;
    const { shape, dtype } = x;
    if (name === 'square') return wrap(b, k.mul(x.ref, x.ref, shape), shape, dtype);
    if (name === 'sign') {
      // (x > 0) - (x < 0): 0 at ±0 and at NaN, as torch.sign.
      const zero = scalar(b, dtype, 0);
      const pos = wrap(b, k.cast(wrap(b, k.gt(x.ref, zero.ref, shape), shape, 'bool').ref, dtype), shape, dtype);
      const neg = wrap(b, k.cast(wrap(b, k.lt(x.ref, zero.ref, shape), shape, 'bool').ref, dtype), shape, dtype);
      return wrap(b, k.sub(pos.ref, neg.ref, shape), shape, dtype);
    }
    const one = scalar(b, dtype, 1);
    if (name === 'reciprocal') return wrap(b, k.div(one.ref, x.ref, shape), shape, dtype);
    if (name === 'rsqrt') {
      const root = wrap(b, k.sqrt(x.ref), shape, dtype);
      return wrap(b, k.div(one.ref, root.ref, shape), shape, dtype);
    }
    // sigmoid = 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving 0 as it should.
    const e = wrap(b, k.exp(wrap(b, k.neg(x.ref), shape, dtype).ref), shape, dtype);
    const denominator = wrap(b, k.add(e.ref, one.ref, shape), shape, dtype);
    return wrap(b, k.div(one.ref, denominator.ref, shape), shape, dtype);
  });
}

/** leakyRelu(x, slope) = x where x > 0, else slope * x (so -0 stays -0 and NaN stays NaN). */
export function leakyReluKernel(x: Tensor, negativeSlope: number): Tensor {
  const b = x.backend;
  const kernel = b.kernels.leakyRelu;
  if (kernel !== undefined) return wrap(b, kernel(x.ref, negativeSlope), x.shape, x.dtype);
  return op('leakyRelu', () => {
    const k = b.kernels;
    const { shape, dtype } = x;
    const positive = wrap(b, k.gt(x.ref, scalar(b, dtype, 0).ref, shape), shape, 'bool');
    const scaled = wrap(b, k.mul(x.ref, scalar(b, dtype, negativeSlope).ref, shape), shape, dtype);
    return wrap(b, k.where(positive.ref, x.ref, scaled.ref, shape), shape, dtype);
  });
}

export type ActivationBackwardName = 'reluBackward' | 'sigmoidBackward' | 'tanhBackward';

/**
 * The gradient of relu, sigmoid or tanh from the output gradient `dy` and the saved output `y` (same
 * shape): the backend's one-pass kernel when it has one, else the kernels it stands for. Not
 * differentiable: rules call it only when no graph of the backward is recorded.
 */
export function activationBackwardKernel(name: ActivationBackwardName, dy: Tensor, y: Tensor): Tensor {
  const b = y.backend;
  const { shape, dtype } = y;
  const kernel = b.kernels[name];
  if (kernel !== undefined) return wrap(b, kernel(dy.ref, y.ref), shape, dtype);
  return op(name, () => {
    const k = b.kernels;
    if (name === 'reluBackward') {
      // y > 0 ? dy : 0, PyTorch's threshold_backward (0, not 0 * inf, where the unit is off).
      const zero = scalar(b, dtype, 0);
      const on = wrap(b, k.gt(y.ref, zero.ref, shape), shape, 'bool');
      return wrap(b, k.where(on.ref, dy.ref, zero.ref, shape), shape, dtype);
    }
    const one = scalar(b, dtype, 1);
    // The factors of core's composite rules (sigmoid: y (1 - y), tanh: 1 - y^2), rounded as they are.
    const derivative =
      name === 'sigmoidBackward'
        ? wrap(b, k.mul(y.ref, wrap(b, k.sub(one.ref, y.ref, shape), shape, dtype).ref, shape), shape, dtype)
        : wrap(b, k.sub(one.ref, wrap(b, k.mul(y.ref, y.ref, shape), shape, dtype).ref, shape), shape, dtype);
    return wrap(b, k.mul(dy.ref, derivative.ref, shape), shape, dtype);
  });
}

/** a != b, a <= b, a >= b (bool, broadcast to `shape`), from eq, lt and gt. */
export function compareKernel(name: OptionalCompareName, a: Tensor, b: Tensor, shape: Shape): Tensor {
  const backend = a.backend;
  const kernel = backend.kernels[name];
  if (kernel !== undefined) return wrap(backend, kernel(a.ref, b.ref, shape), shape, 'bool');
  return op(name, () => {
    const k = backend.kernels;
    const asInt = (handle: unknown) =>
      wrap(backend, k.cast(wrap(backend, handle, shape, 'bool').ref, 'int32'), shape, 'int32');
    const equal = asInt(k.eq(a.ref, b.ref, shape));
    if (name === 'ne') return wrap(backend, k.eq(equal.ref, scalar(backend, 'int32', 0).ref, shape), shape, 'bool');
    // lt | eq (gt | eq): both false at NaN, where not(gt) would be true.
    const strict = asInt(name === 'le' ? k.lt(a.ref, b.ref, shape) : k.gt(a.ref, b.ref, shape));
    const either = wrap(backend, k.add(strict.ref, equal.ref, shape), shape, 'int32');
    return wrap(backend, k.cast(either.ref, 'bool'), shape, 'bool');
  });
}

/** Index of the minimum along `axis` (int32, `shape` = x's shape without that axis). */
export function argminKernel(x: Tensor, axis: number, shape: Shape): Tensor {
  const b = x.backend;
  const kernel = b.kernels.argmin;
  if (kernel !== undefined) return wrap(b, kernel(x.ref, axis), shape, 'int32');
  return op('argmin', () => {
    const k = b.kernels;
    // argmax of an order-reversing map: -x for floats (NaN stays NaN, so it still wins), and
    // -1 - x for integers (exact over all of int32, where -x overflows at -2^31).
    let flipped: Tensor;
    if (x.dtype === 'float32') flipped = wrap(b, k.neg(x.ref), x.shape, 'float32');
    else {
      const ints = x.dtype === 'int32' ? x : wrap(b, k.cast(x.ref, 'int32'), x.shape, 'int32');
      flipped = wrap(b, k.sub(scalar(b, 'int32', -1).ref, ints.ref, x.shape), x.shape, 'int32');
    }
    return wrap(b, k.argmax(flipped.ref, axis), shape, 'int32');
  });
}

/** int32 class indices [...] -> [..., numClasses] of `dtype` (indices in range). */
export function oneHotKernel(indices: Tensor, numClasses: number, dtype: DType): Tensor {
  const b = indices.backend;
  const shape = [...indices.shape, numClasses];
  const kernel = b.kernels.oneHot;
  if (kernel !== undefined) return wrap(b, kernel(indices.ref, numClasses, dtype), shape, dtype);
  return op('oneHot', () => {
    const k = b.kernels;
    const classes = wrap(
      b,
      k.write(
        Int32Array.from({ length: numClasses }, (_, i) => i),
        [numClasses],
        'int32',
      ),
      [numClasses],
      'int32',
    );
    // indices[..., None] == arange(numClasses), broadcast over the new last axis.
    const hits = wrap(b, k.eq(viewRef(indices, [...indices.shape, 1]), classes.ref, shape), shape, 'bool');
    return wrap(b, k.cast(hits.ref, dtype), shape, dtype);
  });
}

/** torch.index_select's forward: `index` is 1-D int32 and in range; `shape` has index's length at `axis`. */
export function indexSelectKernel(x: Tensor, axis: number, index: Tensor, shape: Shape): Tensor {
  const b = x.backend;
  const kernel = b.kernels.indexSelect;
  if (kernel !== undefined) return wrap(b, kernel(x.ref, axis, index.ref), shape, x.dtype);
  return op('indexSelect', () => {
    const k = b.kernels;
    // gather with the index stretched over every other axis.
    const view = x.shape.map((_, i) => (i === axis ? index.shape[0]! : 1));
    const full = wrap(b, k.expand(viewRef(index, view), shape), shape, 'int32');
    return wrap(b, k.gather(x.ref, axis, full.ref), shape, x.dtype);
  });
}
