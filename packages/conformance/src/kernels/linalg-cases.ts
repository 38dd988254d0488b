/** Cases for matmul and the optional fused linear / softmax / logSoftmax kernels. */
import type { Shape } from '@flint/core/backend';
import {
  host,
  linearRef,
  logSoftmaxRef,
  matmulRef,
  randn,
  Rng,
  softmaxRef,
  type HostTensor,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

export function matmulCases(): ComputeCase[] {
  const rng = new Rng(5000);
  const one = (a: Shape, b: Shape, ta = false, tb = false, scale = 1, note = ''): ComputeCase => {
    const A = randn(rng, a, scale);
    const B = randn(rng, b, scale);
    const ref = () => [matmulRef(A, B, ta, tb)];
    const outShape = ref()[0]!.shape;
    return kc(
      `matmul ${sh(a)} x ${sh(b)}${ta ? ' transposeA' : ''}${tb ? ' transposeB' : ''}${note}`,
      [A, B],
      (k, [x, y]) => [k.matmul(x!, y!, ta, tb, outShape)],
      ref,
    );
  };
  return [
    one([2, 3], [3, 4]),
    one([3, 2], [3, 4], true),
    one([2, 3], [4, 3], false, true),
    one([3, 2], [4, 3], true, true),
    one([2, 3, 4], [2, 4, 5]),
    one([2, 1, 3, 4], [3, 4, 2]),
    one([3, 4], [5, 4, 2]),
    one([5, 3, 4], [4, 2]),
    one([2, 4, 3], [1, 5, 4], true, true),
    one([2, 0], [0, 3], false, false, 1, ' (K=0 gives zeros)'),
    one([0, 3], [3, 2], false, false, 1, ' (M=0)'),
    one([2, 3], [3, 0], false, false, 1, ' (N=0)'),
    one([0, 2, 3], [3, 4], false, false, 1, ' (empty batch)'),
    one([1, 1], [1, 1]),
    one([1, 5], [5, 1]),
    one([5, 1], [1, 5]),
    one([33, 65], [65, 17], false, false, 1, ' (odd sizes)'),
    one([17, 33], [17, 9], true, false, 1, ' (odd sizes)'),
    one([64, 128], [128, 64], false, false, 1, ' (larger)'),
    one([4, 5], [5, 3], false, false, 1e15, ' (large values)'),
    one([4, 5], [5, 3], false, false, 1e-15, ' (tiny values)'),
  ];
}

export function linearCases(): ComputeCase[] {
  const rng = new Rng(5100);
  const one = (x: Shape, outF: number, bias: boolean): ComputeCase => {
    const X = randn(rng, x);
    const W = randn(rng, [outF, x[x.length - 1]!]);
    const B = randn(rng, [outF]);
    const ref = () => [linearRef(X, W, bias ? B : null)];
    const outShape = ref()[0]!.shape;
    return kc(
      `linear ${sh(x)} -> ${outF}${bias ? ' with bias' : ' without bias'}`,
      bias ? [X, W, B] : [X, W],
      (k, [a, w, b]) => [k.linear!(a!, w!, bias ? b! : null, outShape)],
      ref,
    );
  };
  return [
    one([4, 3], 5, true),
    one([4, 3], 5, false),
    one([2, 3, 4], 2, true),
    one([3], 4, true),
    one([0, 3], 2, true),
    one([2, 0], 3, true),
    one([1, 1], 1, false),
  ];
}

function softmaxLike(op: 'softmax' | 'logSoftmax'): ComputeCase[] {
  const rng = new Rng(op === 'softmax' ? 5200 : 5201);
  const ref = op === 'softmax' ? softmaxRef : logSoftmaxRef;
  const one = (name: string, x: HostTensor, axis: number): ComputeCase =>
    kc(
      `${op} ${name} ${sh(x.shape)} axis ${axis}`,
      [x],
      (k, [a]) => [k[op]!(a!, axis)],
      () => [ref(x, axis)],
    );
  const shifted = randn(rng, [2, 5], 3);
  return [
    one('', randn(rng, [3, 4], 2), 1),
    one('', randn(rng, [3, 4], 2), 0),
    one('', randn(rng, [2, 3, 4], 2), 1),
    one('rank-1', randn(rng, [6], 2), 0),
    one('size-1 axis', randn(rng, [4, 1], 2), 1),
    one('empty outer dim', randn(rng, [0, 3], 2), 1),
    one(
      'large logits (needs the max shift)',
      host(
        shifted.shape,
        'float32',
        shifted.data.map((v) => v + 1000),
      ),
      1,
    ),
    one(
      'very negative logits',
      host(
        shifted.shape,
        'float32',
        shifted.data.map((v) => v * 30 - 500),
      ),
      1,
    ),
  ];
}

export const softmaxCases = () => softmaxLike('softmax');
export const logSoftmaxCases = () => softmaxLike('logSoftmax');
