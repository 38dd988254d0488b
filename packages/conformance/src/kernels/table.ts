/**
 * The kernel case table: one entry per kernel of the contract. `satisfies` makes a kernel added to
 * `Kernels` without cases here a compile error in this package.
 */
import type { Kernels, RequiredKernelName } from '@flint/core/backend';
import { binaryKernelCases, leakyReluCases, unaryKernelCases, whereCases } from './elementwise-cases.js';
import {
  avgPool2dBackwardCases,
  avgPool2dCases,
  conv2dBackwardInputCases,
  conv2dBackwardWeightCases,
  conv2dBiasCases,
  conv2dCases,
  maxPool2dBackwardCases,
  maxPool2dCases,
} from './image-cases.js';
import { gatherCases, indexSelectCases, scatterAddCases, scatterCases } from './indexing-cases.js';
import {
  castCases,
  concatCases,
  expandCases,
  oneHotCases,
  padCases,
  permuteCases,
  sliceCases,
} from './layout-cases.js';
import { linearCases, logSoftmaxCases, matmulCases, softmaxCases } from './linalg-cases.js';
import { copyCases, disposeCases, fillCases, readCases, readSyncCases, writeCases } from './memory-cases.js';
import { adamStepCases, sgdStepCases } from './optim-cases.js';
import { activationBackwardCases, crossEntropyBackwardCases, crossEntropyCases } from './loss-cases.js';
import { reductionKernelCases } from './reduce-cases.js';
import { cumulativeCases, sortCases } from './sorting-cases.js';
import type { KernelCase } from './types.js';

export type KernelName = keyof Kernels<unknown>;
export type OptionalKernelName = Exclude<KernelName, RequiredKernelName>;

/** Every kernel (required and optional) must have cases; optional ones run when a backend has them. */
export type KernelCaseTable = { readonly [K in KernelName]-?: readonly KernelCase[] };

export function buildKernelCases() {
  return {
    write: writeCases(),
    read: readCases(),
    readSync: readSyncCases(),
    dispose: disposeCases(),
    fill: fillCases(),
    copy: copyCases(),
    ...unaryKernelCases(),
    leakyRelu: leakyReluCases(),
    ...binaryKernelCases(),
    where: whereCases(),
    ...reductionKernelCases(),
    matmul: matmulCases(),
    permute: permuteCases(),
    slice: sliceCases(),
    pad: padCases(),
    concat: concatCases(),
    expand: expandCases(),
    cast: castCases(),
    oneHot: oneHotCases(),
    gather: gatherCases(),
    scatterAdd: scatterAddCases(),
    indexSelect: indexSelectCases(),
    scatter: scatterCases(),
    sort: sortCases(),
    cumulative: cumulativeCases(),
    conv2d: conv2dCases(),
    conv2dBackwardInput: conv2dBackwardInputCases(),
    conv2dBackwardWeight: conv2dBackwardWeightCases(),
    conv2dBias: conv2dBiasCases(),
    maxPool2d: maxPool2dCases(),
    maxPool2dBackward: maxPool2dBackwardCases(),
    avgPool2d: avgPool2dCases(),
    avgPool2dBackward: avgPool2dBackwardCases(),
    softmax: softmaxCases(),
    logSoftmax: logSoftmaxCases(),
    linear: linearCases(),
    sgdStep: sgdStepCases(),
    adamStep: adamStepCases(),
    crossEntropy: crossEntropyCases(),
    crossEntropyBackward: crossEntropyBackwardCases(),
    reluBackward: activationBackwardCases('reluBackward'),
    sigmoidBackward: activationBackwardCases('sigmoidBackward'),
    tanhBackward: activationBackwardCases('tanhBackward'),
  } satisfies KernelCaseTable;
}

/** Each optional kernel of the contract; a kernel made optional in `Kernels` without an entry here is a compile error. */
const OPTIONAL: { readonly [K in OptionalKernelName]: true } = {
  sigmoid: true,
  rsqrt: true,
  reciprocal: true,
  square: true,
  sign: true,
  leakyRelu: true,
  ne: true,
  le: true,
  ge: true,
  argmin: true,
  oneHot: true,
  indexSelect: true,
  softmax: true,
  logSoftmax: true,
  linear: true,
  conv2dBias: true,
  sgdStep: true,
  adamStep: true,
  crossEntropy: true,
  crossEntropyBackward: true,
  reluBackward: true,
  sigmoidBackward: true,
  tanhBackward: true,
};

/** The kernels core can do without (it composes them); their cases run when a backend has them. */
export const OPTIONAL_KERNELS = Object.keys(OPTIONAL) as readonly OptionalKernelName[];
