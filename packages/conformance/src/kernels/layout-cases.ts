/** Cases for permute, slice, pad, concat, expand, cast, oneHot. */
import type { DType, Shape } from '@flint/core/backend';
import {
  castRef,
  concatRef,
  expandRef,
  host,
  oneHotRef,
  padRef,
  permuteRef,
  randbool,
  randint,
  randn,
  Rng,
  sliceRef,
  type HostTensor,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const rng = new Rng(6000);
function anyOf(dtype: DType, shape: Shape): HostTensor {
  return dtype === 'float32'
    ? randn(rng, shape)
    : dtype === 'int32'
      ? randint(rng, shape, -100, 100)
      : randbool(rng, shape);
}

export function permuteCases(): ComputeCase[] {
  const one = (x: HostTensor, perm: number[]): ComputeCase =>
    kc(
      `permute ${x.dtype} ${sh(x.shape)} by ${sh(perm)}`,
      [x],
      (k, [a]) => [k.permute(a!, perm)],
      () => [permuteRef(x, perm)],
    );
  return [
    one(anyOf('float32', [3, 4]), [1, 0]),
    one(anyOf('float32', [2, 3, 4]), [2, 0, 1]),
    one(anyOf('float32', [2, 3, 4]), [0, 1, 2]),
    one(anyOf('float32', [1, 3, 1, 2]), [3, 2, 1, 0]),
    one(anyOf('float32', [2, 3, 4, 5]), [0, 2, 3, 1]),
    one(anyOf('float32', []), []),
    one(anyOf('float32', [0, 2, 3]), [2, 1, 0]),
    one(anyOf('int32', [3, 5]), [1, 0]),
    one(anyOf('bool', [2, 3, 2]), [1, 2, 0]),
    one(anyOf('float32', [31, 17]), [1, 0]),
  ];
}

export function sliceCases(): ComputeCase[] {
  const one = (x: HostTensor, begin: number[], step: number[], out: number[]): ComputeCase =>
    kc(
      `slice ${x.dtype} ${sh(x.shape)} begin ${sh(begin)} step ${sh(step)} -> ${sh(out)}`,
      [x],
      (k, [a]) => [k.slice(a!, begin, step, out)],
      () => [sliceRef(x, begin, step, out)],
    );
  return [
    one(anyOf('float32', [5, 6]), [1, 0], [2, 3], [2, 2]),
    one(anyOf('float32', [5, 6]), [0, 0], [1, 1], [5, 6]),
    one(anyOf('float32', [5, 6]), [0, 2], [1, 1], [0, 4]),
    one(anyOf('float32', [5, 6]), [4, 5], [7, 9], [1, 1]),
    one(anyOf('float32', []), [], [], []),
    one(anyOf('float32', [4]), [3], [1], [1]),
    one(anyOf('float32', [2, 3, 4]), [1, 1, 0], [1, 2, 3], [1, 1, 2]),
    one(anyOf('float32', [10]), [1], [3], [3]),
    one(anyOf('float32', [0, 4]), [0, 1], [1, 2], [0, 2]),
    one(anyOf('int32', [4, 4]), [1, 1], [2, 1], [2, 3]),
    one(anyOf('bool', [6]), [0], [2], [3]),
  ];
}

export function padCases(): ComputeCase[] {
  const one = (x: HostTensor, pads: [number, number][], value: number): ComputeCase =>
    kc(
      `pad ${x.dtype} ${sh(x.shape)} by ${JSON.stringify(pads)} value ${value}`,
      [x],
      (k, [a]) => [k.pad(a!, pads, value)],
      () => [padRef(x, pads, value)],
    );
  return [
    one(
      anyOf('float32', [2, 3]),
      [
        [1, 2],
        [0, 1],
      ],
      0,
    ),
    one(
      anyOf('float32', [2, 3]),
      [
        [0, 0],
        [2, 2],
      ],
      -Infinity,
    ),
    one(
      anyOf('float32', [2, 3]),
      [
        [0, 0],
        [0, 0],
      ],
      1.5,
    ),
    one(
      anyOf('float32', [0, 2]),
      [
        [1, 1],
        [0, 0],
      ],
      7,
    ),
    one(
      anyOf('float32', [2, 2, 2]),
      [
        [1, 0],
        [0, 0],
        [0, 0],
      ],
      -2.5,
    ),
    one(
      anyOf('float32', [1, 1, 3, 3]),
      [
        [0, 0],
        [0, 0],
        [1, 1],
        [1, 1],
      ],
      0,
    ),
    one(anyOf('float32', []), [], 3),
    one(
      anyOf('int32', [2, 2]),
      [
        [1, 1],
        [1, 0],
      ],
      7,
    ),
    one(anyOf('bool', [3]), [[2, 1]], 1),
  ];
}

export function concatCases(): ComputeCase[] {
  const one = (xs: HostTensor[], axis: number): ComputeCase => {
    const ref = () => [concatRef(xs, axis)];
    const outShape = ref()[0]!.shape;
    return kc(
      `concat ${xs[0]!.dtype} ${xs.map((x) => sh(x.shape)).join(' + ')} axis ${axis}`,
      xs,
      (k, refs) => [k.concat(refs, axis, outShape)],
      ref,
    );
  };
  return [
    one([anyOf('float32', [2, 3]), anyOf('float32', [1, 3])], 0),
    one([anyOf('float32', [2, 3]), anyOf('float32', [2, 1]), anyOf('float32', [2, 4])], 1),
    one([anyOf('float32', [2, 3]), anyOf('float32', [0, 3]), anyOf('float32', [3, 3])], 0),
    one([anyOf('float32', [2, 0]), anyOf('float32', [2, 3])], 1),
    one([anyOf('float32', [2, 3])], 0),
    one([anyOf('float32', [4]), anyOf('float32', [1]), anyOf('float32', [2])], 0),
    one([anyOf('float32', [2, 3, 4]), anyOf('float32', [2, 2, 4])], 1),
    one([anyOf('float32', [2, 3, 1]), anyOf('float32', [2, 3, 2])], 2),
    one([anyOf('int32', [2, 2]), anyOf('int32', [2, 2])], 0),
    one([anyOf('bool', [3]), anyOf('bool', [2])], 0),
  ];
}

export function expandCases(): ComputeCase[] {
  const one = (x: HostTensor, out: number[]): ComputeCase =>
    kc(
      `expand ${x.dtype} ${sh(x.shape)} -> ${sh(out)}`,
      [x],
      (k, [a]) => [k.expand(a!, out)],
      () => [expandRef(x, out)],
    );
  return [
    one(anyOf('float32', [3, 1]), [3, 4]),
    one(anyOf('float32', [4]), [2, 3, 4]),
    one(anyOf('float32', []), [2, 2]),
    one(anyOf('float32', []), []),
    one(anyOf('float32', [1, 3]), [0, 3]),
    one(anyOf('float32', [2, 3]), [2, 3]),
    one(anyOf('float32', [1, 3, 1]), [2, 3, 4]),
    one(anyOf('int32', [2, 1]), [3, 2, 5]),
    one(anyOf('bool', [1]), [4]),
  ];
}

export function castCases(): ComputeCase[] {
  const one = (x: HostTensor, to: DType, note = ''): ComputeCase =>
    kc(
      `cast ${x.dtype} -> ${to} ${sh(x.shape)}${note}`,
      [x],
      (k, [a]) => [k.cast(a!, to)],
      () => [castRef(x, to)],
    );
  const floats = host([10], 'float32', [1.7, -1.7, 2.5, -2.5, 0, -0, 1e9, -1e9, 0.999, -0.999]);
  return [
    one(floats, 'int32', ' (truncates toward zero)'),
    one(host([8], 'float32', [0, -0, 1e-30, -2, Infinity, -Infinity, 0.5, 1]), 'bool'),
    one(floats, 'float32'),
    one(host([6], 'int32', [0, 1, -1, 16777217, -2147483648, 2147483647]), 'float32'),
    one(host([4], 'int32', [0, 5, -3, 0]), 'bool'),
    one(anyOf('int32', [2, 3]), 'int32'),
    one(host([4], 'bool', [1, 0, 1, 1]), 'float32'),
    one(host([4], 'bool', [1, 0, 1, 1]), 'int32'),
    one(host([4], 'bool', [1, 0, 1, 1]), 'bool'),
    one(anyOf('float32', []), 'int32', ' rank-0'),
    one(anyOf('float32', [0, 3]), 'bool', ' empty'),
  ];
}

export function oneHotCases(): ComputeCase[] {
  const one = (idx: HostTensor, n: number, dtype: DType): ComputeCase =>
    kc(
      `oneHot ${sh(idx.shape)} classes ${n} as ${dtype}`,
      [idx],
      (k, [a]) => [k.oneHot!(a!, n, dtype)],
      () => [oneHotRef(idx, n, dtype)],
    );
  return [
    one(host([3], 'int32', [0, 3, 1]), 4, 'float32'),
    one(randint(rng, [2, 3], 0, 5), 5, 'int32'),
    one(randint(rng, [4], 0, 3), 3, 'bool'),
    one(host([0], 'int32', []), 5, 'float32'),
    one(host([], 'int32', [2]), 3, 'float32'),
    one(host([3], 'int32', [0, 0, 0]), 1, 'float32'),
    one(randint(rng, [2, 1, 2], 0, 10), 10, 'float32'),
  ];
}
