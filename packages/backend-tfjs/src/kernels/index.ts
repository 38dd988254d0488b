/** The kernel table: one kernel per file, checked against core's contract by `satisfies`. */
import type { Kernels } from '@flint/core/backend';
import type { TfTensor } from '../tf.js';
import { write } from './write.js';
import { read } from './read.js';
import { readSync } from './readSync.js';
import { dispose } from './dispose.js';
import { fill } from './fill.js';
import { copy } from './copy.js';
import { neg } from './neg.js';
import { abs } from './abs.js';
import { sign } from './sign.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { sqrt } from './sqrt.js';
import { rsqrt } from './rsqrt.js';
import { reciprocal } from './reciprocal.js';
import { square } from './square.js';
import { sin } from './sin.js';
import { cos } from './cos.js';
import { tanh } from './tanh.js';
import { sigmoid } from './sigmoid.js';
import { relu } from './relu.js';
import { leakyRelu } from './leakyRelu.js';
import { gelu } from './gelu.js';
import { erf } from './erf.js';
import { floor } from './floor.js';
import { ceil } from './ceil.js';
import { round } from './round.js';
import { log1p } from './log1p.js';
import { expm1 } from './expm1.js';
import { add } from './add.js';
import { sub } from './sub.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { pow } from './pow.js';
import { maximum } from './maximum.js';
import { minimum } from './minimum.js';
import { eq } from './eq.js';
import { ne } from './ne.js';
import { lt } from './lt.js';
import { le } from './le.js';
import { gt } from './gt.js';
import { ge } from './ge.js';
import { where } from './where.js';
import { sum } from './sum.js';
import { max } from './max.js';
import { min } from './min.js';
import { prod } from './prod.js';
import { argmax } from './argmax.js';
import { argmin } from './argmin.js';
import { matmul } from './matmul.js';
import { permute } from './permute.js';
import { slice } from './slice.js';
import { pad } from './pad.js';
import { concat } from './concat.js';
import { expand } from './expand.js';
import { cast } from './cast.js';
import { oneHot } from './oneHot.js';
import { gather } from './gather.js';
import { scatterAdd } from './scatterAdd.js';
import { scatter } from './scatter.js';
import { indexSelect } from './indexSelect.js';
import { sort } from './sort.js';
import { cumulative } from './cumulative.js';
import { conv2d } from './conv2d.js';
import { conv2dBackwardInput } from './conv2dBackwardInput.js';
import { conv2dBackwardWeight } from './conv2dBackwardWeight.js';
import { maxPool2d } from './maxPool2d.js';
import { maxPool2dBackward } from './maxPool2dBackward.js';
import { avgPool2d } from './avgPool2d.js';
import { avgPool2dBackward } from './avgPool2dBackward.js';
import { softmax } from './softmax.js';
import { logSoftmax } from './logSoftmax.js';
import { linear } from './linear.js';

export const kernels = {
  write,
  read,
  readSync,
  dispose,
  fill,
  copy,
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
  add,
  sub,
  div,
  mul,
  pow,
  maximum,
  minimum,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  where,
  sum,
  max,
  min,
  prod,
  argmax,
  argmin,
  matmul,
  permute,
  slice,
  pad,
  concat,
  expand,
  cast,
  oneHot,
  gather,
  scatterAdd,
  scatter,
  indexSelect,
  sort,
  cumulative,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  softmax,
  logSoftmax,
  linear,
} satisfies Kernels<TfTensor>;
