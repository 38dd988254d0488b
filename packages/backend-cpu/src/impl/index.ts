/**
 * The pure implementation of every kernel, by kernel name: functions on typed arrays and shapes,
 * no storage wrapper (src/kernels.ts adapts them). Internal to the package: the entry does not
 * export it (see the README).
 */
export {
  neg,
  abs,
  sign,
  exp,
  log,
  sqrt,
  rsqrt,
  reciprocal,
  square,
  sin,
  cos,
  tanh,
  sigmoid,
  relu,
  leakyRelu,
  gelu,
  erf,
  floor,
  ceil,
  round,
  log1p,
  expm1,
} from './unary.js';
export { add, sub, div, mul, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where } from './binary.js';
export { sum, max, min, prod, argmax, argmin } from './reduce.js';
export { matmul } from './matmul.js';
export { permute, slice, pad, concat, expand, cast, oneHot } from './layout.js';
export { gather, scatterAdd, indexSelect } from './indexing.js';
export { scatter } from './scatter.js';
export { sort } from './sort.js';
export { cumulative } from './cumulative.js';
export { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
export { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './pool.js';
export { linear, softmax, logSoftmax } from './nn.js';
export { sgdStep } from './sgd-step.js';
export { adamStep } from './adam-step.js';
export { crossEntropy } from './cross-entropy.js';
export { crossEntropyBackward } from './cross-entropy-backward.js';
export { reluBackward } from './relu-backward.js';
export { sigmoidBackward } from './sigmoid-backward.js';
export { tanhBackward } from './tanh-backward.js';
