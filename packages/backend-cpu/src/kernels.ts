/**
 * The CPU kernel table: every kernel of core's contract, each an adapter (src/adapter.ts, or a
 * few lines inline where the signature is its own) over its pure implementation in src/impl.
 * `satisfies Kernels<CpuStorage>` makes a missing or mistyped kernel a compile error.
 */
import type { DataArray, Kernels } from '@flint/core/backend';
import { argReduction, binary, f32, i32, type Ref, reduction, unaryAny, unaryFloat, wrap } from './adapter.js';
import * as impl from './impl/index.js';
import { coerce, dtypeOf, sizeOf, take, takeLike } from './impl/util.js';
import { CpuStorage } from './storage.js';

/** A copy of `data` in a pooled array of the same kind. */
function copyOf(data: DataArray): DataArray {
  const out = takeLike(data, data.length);
  out.set(data);
  return out;
}

/** A fresh copy owned by the caller (never pooled: the caller keeps it). */
function readSync(x: Ref): DataArray {
  if (x.storage.isDisposed) throw new Error('Cannot read a disposed tensor: its cpu storage was already freed.');
  return x.storage.data.slice();
}

export const kernels = {
  // ---- memory ----
  /** Copies, because the caller may reuse its array (converted if its type does not match dtype). */
  write: (data, _shape, dtype) =>
    new CpuStorage(dtypeOf(data) === dtype ? copyOf(data) : impl.cast(data, dtype), dtype),
  read: async (x) => readSync(x),
  readSync,
  /** Idempotent. */
  dispose: (storage) => storage.dispose(),
  fill: (shape, dtype, value) => {
    const data = take(dtype, sizeOf(shape)).fill(coerce(value, dtype));
    return new CpuStorage(data, dtype);
  },
  copy: (x) => new CpuStorage(copyOf(x.storage.data), x.dtype),

  // ---- unary (the ...Any ones also run on int32) ----
  neg: unaryAny(impl.neg),
  abs: unaryAny(impl.abs),
  sign: unaryAny(impl.sign),
  exp: unaryFloat(impl.exp),
  log: unaryFloat(impl.log),
  sqrt: unaryFloat(impl.sqrt),
  rsqrt: unaryFloat(impl.rsqrt),
  reciprocal: unaryFloat(impl.reciprocal),
  square: unaryAny(impl.square),
  sin: unaryFloat(impl.sin),
  cos: unaryFloat(impl.cos),
  tanh: unaryFloat(impl.tanh),
  sigmoid: unaryFloat(impl.sigmoid),
  relu: unaryAny(impl.relu),
  leakyRelu: (x, negativeSlope) => wrap(impl.leakyRelu(f32(x), negativeSlope)),
  gelu: unaryFloat(impl.gelu),
  erf: unaryFloat(impl.erf),
  floor: unaryFloat(impl.floor),
  ceil: unaryFloat(impl.ceil),
  round: unaryFloat(impl.round),
  log1p: unaryFloat(impl.log1p),
  expm1: unaryFloat(impl.expm1),

  // ---- binary, with broadcasting ----
  add: binary(impl.add),
  sub: binary(impl.sub),
  div: binary(impl.div),
  mul: binary(impl.mul),
  pow: binary(impl.pow),
  maximum: binary(impl.maximum),
  minimum: binary(impl.minimum),
  eq: binary(impl.eq),
  ne: binary(impl.ne),
  lt: binary(impl.lt),
  le: binary(impl.le),
  gt: binary(impl.gt),
  ge: binary(impl.ge),
  where: (cond, a, b, outShape) =>
    wrap(
      impl.where(
        cond.storage.data as Uint8Array,
        cond.shape,
        a.storage.data,
        a.shape,
        b.storage.data,
        b.shape,
        outShape,
      ),
    ),

  // ---- reductions ----
  sum: reduction(impl.sum),
  max: reduction(impl.max),
  min: reduction(impl.min),
  prod: reduction(impl.prod),
  argmax: argReduction(impl.argmax),
  argmin: argReduction(impl.argmin),

  // ---- linear algebra ----
  matmul: (a, b, transposeA, transposeB, outShape) =>
    wrap(impl.matmul(a.storage.data, a.shape, b.storage.data, b.shape, transposeA, transposeB, outShape)),

  // ---- layout ----
  permute: (x, perm) => wrap(impl.permute(x.storage.data, x.shape, perm)),
  slice: (x, begin, step, outShape) => wrap(impl.slice(x.storage.data, x.shape, begin, step, outShape)),
  pad: (x, pads, value) => wrap(impl.pad(x.storage.data, x.shape, pads, value)),
  concat: (xs, axis, outShape) => {
    const dtype = xs[0]!.dtype;
    const parts = xs.map((x) => ({ data: x.storage.data, shape: x.shape }));
    return new CpuStorage(impl.concat(parts, axis, outShape, dtype), dtype);
  },
  expand: (x, outShape) => wrap(impl.expand(x.storage.data, x.shape, outShape)),
  cast: (x, dtype) => new CpuStorage(impl.cast(x.storage.data, dtype), dtype),
  oneHot: (indices, numClasses, dtype) => new CpuStorage(impl.oneHot(i32(indices), numClasses, dtype), dtype),

  // ---- indexing ----
  gather: (x, axis, index) => wrap(impl.gather(x.storage.data, x.shape, axis, i32(index), index.shape)),
  scatterAdd: (x, axis, index, src) =>
    wrap(impl.scatterAdd(x.storage.data, x.shape, axis, i32(index), index.shape, src.storage.data, src.shape)),
  indexSelect: (x, axis, index) => wrap(impl.indexSelect(x.storage.data, x.shape, axis, i32(index))),
  scatter: (x, axis, index, src, reduce, includeSelf) =>
    wrap(impl.scatter(x.storage.data, x.shape, axis, i32(index), index.shape, src.storage.data, reduce, includeSelf)),

  // ---- sorting and scans ----
  sort: (x, axis, descending) => {
    const { values, indices } = impl.sort(x.storage.data, x.shape, axis, descending);
    return { values: wrap(values), indices: wrap(indices) };
  },
  cumulative: (x, axis, op) => wrap(impl.cumulative(x.storage.data, x.shape, axis, op)),

  // ---- images, NCHW (float32) ----
  /** Keeps its columns for conv2dBackwardWeight on the same input (storage arrays never change). */
  conv2d: (x, weight, params, outShape) =>
    wrap(impl.conv2d(f32(x), x.shape, f32(weight), weight.shape, params, outShape, true)),
  /** conv2d with the bias added as the output is written (no separate broadcast pass). */
  conv2dBias: (x, weight, bias, params, outShape) =>
    wrap(impl.conv2d(f32(x), x.shape, f32(weight), weight.shape, params, outShape, true, f32(bias))),
  conv2dBackwardInput: (dy, weight, xShape, params) =>
    wrap(impl.conv2dBackwardInput(f32(dy), dy.shape, f32(weight), weight.shape, xShape, params)),
  conv2dBackwardWeight: (x, dy, wShape, params) =>
    wrap(impl.conv2dBackwardWeight(f32(x), x.shape, f32(dy), dy.shape, wShape, params, true)),
  maxPool2d: (x, params, outShape) => {
    const { values, indices } = impl.maxPool2d(f32(x), x.shape, params, outShape);
    return { values: wrap(values), indices: wrap(indices) };
  },
  maxPool2dBackward: (dy, indices, xShape) => wrap(impl.maxPool2dBackward(f32(dy), dy.shape, i32(indices), xShape)),
  avgPool2d: (x, params, outShape) => wrap(impl.avgPool2d(f32(x), x.shape, params, outShape)),
  avgPool2dBackward: (dy, xShape, params) => wrap(impl.avgPool2dBackward(f32(dy), dy.shape, xShape, params)),

  // ---- fused ----
  /** Numerically stable softmax along one axis (max-shifted, float64 sums). */
  softmax: (x, axis) => wrap(impl.softmax(f32(x), x.shape, axis)),
  logSoftmax: (x, axis) => wrap(impl.logSoftmax(f32(x), x.shape, axis)),
  /** x @ W^T + b: one GEMM reading W transposed in place, bias preloaded into the output. */
  linear: (x, weight, bias, _outShape) =>
    wrap(impl.linear(f32(x), x.shape, f32(weight), weight.shape, bias === null ? null : f32(bias))),
  /** Log-softmax and NLL of [N, C] logits in one pass per row (the loss and each row's logsumexp). */
  crossEntropy: (logits, target, weight, options) => {
    const [n, C] = logits.shape as [number, number];
    const r = impl.crossEntropy(f32(logits), n, C, i32(target), weight === null ? null : f32(weight), options);
    return { loss: wrap(r.loss), logSumExp: wrap(r.logSumExp) };
  },
  crossEntropyBackward: (grad, logits, logSumExp, target, weight, options) => {
    const [n, C] = logits.shape as [number, number];
    const w = weight === null ? null : f32(weight);
    return wrap(impl.crossEntropyBackward(f32(grad), f32(logits), n, C, f32(logSumExp), i32(target), w, options));
  },
  // ---- activation gradients from the saved output, one pass each ----
  reluBackward: (dy, y) => wrap(impl.reluBackward(f32(dy), f32(y))),
  sigmoidBackward: (dy, y) => wrap(impl.sigmoidBackward(f32(dy), f32(y))),
  tanhBackward: (dy, y) => wrap(impl.tanhBackward(f32(dy), f32(y))),

  // ---- optimizer steps: the only kernels that write their inputs (in place, as core's contract says) ----
  // each marks what it wrote (CpuStorage.written) so no cached copy of the old values is reused
  sgdStep: (param, grad, momentumBuffer, options) => {
    impl.sgdStep(f32(param), f32(grad), momentumBuffer === null ? null : f32(momentumBuffer), options);
    param.storage.written();
    momentumBuffer?.storage.written();
  },
  adamStep: (param, grad, expAvg, expAvgSq, maxExpAvgSq, options) => {
    impl.adamStep(
      f32(param),
      f32(grad),
      f32(expAvg),
      f32(expAvgSq),
      maxExpAvgSq === null ? null : f32(maxExpAvgSq),
      options,
    );
    param.storage.written();
    expAvg.storage.written();
    expAvgSq.storage.written();
    maxExpAvgSq?.storage.written();
  },
} satisfies Kernels<CpuStorage>;
