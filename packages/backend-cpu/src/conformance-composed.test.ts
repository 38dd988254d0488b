/**
 * The suite on cpu with its optional kernels hidden: the op fixtures, gradients and leak sweep then
 * run on core's compositions of sigmoid, rsqrt, reciprocal, square, sign, leakyRelu, ne/le/ge,
 * argmin, oneHot, indexSelect, softmax, logSoftmax, linear and conv2dBias, cross entropy on its composite op
 * and the activation gradients on their composite rules, and the optimizer fixtures on core's
 * composite SGD/Adam steps instead of sgdStep/adamStep (the kernel cases of those are listed as not
 * provided; conformance.test.ts runs them on the kernels themselves).
 */
import { runConformance, withoutOptionalKernels } from '@flint/conformance';
import { cpuBackend } from './index.js';

runConformance({ backend: () => withoutOptionalKernels(cpuBackend), expectedEngine: 'typed-arrays', ops: true });
