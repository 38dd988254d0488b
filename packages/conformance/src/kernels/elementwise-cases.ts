/** Cases for the unary and binary elementwise kernels and where. */
import type { Shape } from '@flint/core/backend';
import {
  binaryRef,
  broadcastShape,
  comparisonNames,
  host,
  leakyReluRef,
  mapBinary,
  mapUnary,
  randbool,
  randint,
  randn,
  randu,
  Rng,
  unaryRef,
  whereRef,
  type BinaryName,
  type HostTensor,
  type UnaryName,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const NAN = NaN;
const INF = Infinity;

/** Typical inputs inside each op's domain. */
function typical(op: UnaryName, rng: Rng, shape: Shape): HostTensor {
  switch (op) {
    case 'log':
    case 'sqrt':
    case 'rsqrt':
      return randu(rng, shape, 0.01, 10);
    case 'log1p':
      return randu(rng, shape, -0.9, 10);
    case 'reciprocal': {
      const t = randn(rng, shape);
      return host(
        shape,
        'float32',
        Array.from(t.data, (v) => Math.sign(v || 1) * (0.1 + Math.abs(v))),
      );
    }
    case 'floor':
    case 'ceil':
    case 'round':
      return randn(rng, shape, 4);
    default:
      return randn(rng, shape, 2);
  }
}

/** Large, tiny and boundary values per op (results may overflow to ±Infinity or underflow). */
const EXTREMES: Record<UnaryName, number[]> = {
  neg: [1e30, -1e30, 1e-30, -1e-30, 3.4e38, -3.4e38, -0],
  abs: [1e30, -1e30, 1e-30, -1e-30, 3.4e38, -3.4e38, -0],
  sign: [1e30, -1e30, 1e-30, -1e-30, 0, -0],
  exp: [-100, -80, -20, 20, 80, 88, 89, 1e-7, -1e-7],
  log: [1e-38, 1e-30, 1e-7, 1, 1e7, 1e30, 3.4e38, 0, -1],
  sqrt: [0, 1e-38, 1e-30, 1e-7, 1e7, 1e30, 3.4e38, -1],
  rsqrt: [1e-30, 1e-7, 1e7, 1e30, 0, -1],
  reciprocal: [1e-30, -1e-30, 1e30, -1e30, 0],
  square: [1e19, -1e19, 1e20, 1e-20, -3],
  sin: [100, -100, 1e-7, Math.fround(Math.PI), 1000, -1e-30],
  cos: [100, -100, 1e-7, Math.fround(Math.PI), 1000, 0],
  tanh: [-50, -20, -1e-7, 1e-7, 20, 50, 1e-30],
  sigmoid: [-100, -50, -20, 20, 50, 100, 1e-7],
  relu: [-1e30, 1e30, -1e-30, 1e-30, 0],
  gelu: [-10, -6, -3, 3, 6, 10, 1e-7, -1e30, 1e30],
  erf: [-6, -3.5, -1e-7, 1e-7, 3.5, 6, 30],
  floor: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7, 0.49999997, 8388607.5, 1e20, -1e20],
  ceil: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7, 0.49999997, 8388607.5, 1e20, -1e20],
  round: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -3.7, 3.7, 0.49999997, 8388607.5, 1e20, -1e20, 4.5, -4.5],
  log1p: [-0.999999, -0.5, 1e-7, -1e-7, 1e30, -1],
  expm1: [-100, -1e-7, 1e-7, 1e-3, 80, 89],
};

const UNARY_NAMES = Object.keys(unaryRef) as UnaryName[];

function unaryCases(op: UnaryName): ComputeCase[] {
  const rng = new Rng(1000 + UNARY_NAMES.indexOf(op));
  const f = unaryRef[op];
  const one = (name: string, x: HostTensor): ComputeCase =>
    kc(
      name,
      [x],
      (k, [a]) => [k[op]!(a!)],
      () => [mapUnary(x, f)],
    );
  const cases = [
    one(`${op} [3,4]`, typical(op, rng, [3, 4])),
    one(`${op} rank-0`, typical(op, rng, [])),
    one(`${op} empty [2,0,3]`, typical(op, rng, [2, 0, 3])),
    one(`${op} size-1 [1,1,1]`, typical(op, rng, [1, 1, 1])),
    one(`${op} [257] (not a multiple of 4)`, typical(op, rng, [257])),
    one(`${op} large and tiny values`, host([EXTREMES[op].length], 'float32', EXTREMES[op])),
    one(`${op} ±Infinity and NaN`, host([3], 'float32', [INF, -INF, NAN])),
  ];
  if (op === 'neg' || op === 'abs' || op === 'sign') {
    cases.push(one(`${op} int32`, host([2, 4], 'int32', [-5, -1, 0, 1, 7, -123456, 123456, 2])));
  }
  return cases;
}

function leakyReluCases(): ComputeCase[] {
  const rng = new Rng(1100);
  const one = (name: string, x: HostTensor, slope: number): ComputeCase =>
    kc(
      name,
      [x],
      (k, [a]) => [k.leakyRelu!(a!, slope)],
      () => [mapUnary(x, leakyReluRef(slope))],
    );
  return [
    one('leakyRelu slope 0.01 [3,4]', randn(rng, [3, 4], 2), 0.01),
    one('leakyRelu slope 0.2 rank-0', host([], 'float32', [-3]), 0.2),
    one('leakyRelu slope 0 (relu)', randn(rng, [7], 2), 0),
    one('leakyRelu slope 1.5', randn(rng, [2, 3], 2), 1.5),
    one('leakyRelu empty [0]', host([0], 'float32', []), 0.1),
    one('leakyRelu large values', host([5], 'float32', [-1e30, 1e30, -1e-30, -INF, INF]), 0.01),
  ];
}

type BinaryKernelName = BinaryName;
const BINARY_NAMES = Object.keys(binaryRef) as BinaryKernelName[];

function binaryInput(op: BinaryKernelName, rng: Rng, shape: Shape, which: 0 | 1): HostTensor {
  if (op === 'pow') return which === 0 ? randu(rng, shape, 0.1, 3) : randn(rng, shape, 1.5);
  if (op === 'div' && which === 1) {
    const t = randn(rng, shape);
    return host(
      shape,
      'float32',
      Array.from(t.data, (v) => Math.sign(v || 1) * (0.25 + Math.abs(v))),
    );
  }
  if ((comparisonNames as readonly string[]).includes(op)) {
    // Small integers as floats so that ties (eq, le, ge) actually occur.
    return host(shape, 'float32', Array.from(randint(rng, shape, -2, 3).data));
  }
  return randn(rng, shape, 2);
}

const BROADCASTS: [Shape, Shape][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 4]],
  [[], [2, 3]],
  [[2, 3], []],
  [[], []],
  [
    [0, 3],
    [1, 3],
  ],
  [
    [2, 0],
    [2, 1],
  ],
  [[1], [1, 1, 1]],
  [
    [2, 1, 3, 1, 2],
    [1, 2, 1, 4, 1],
  ],
  [
    [5, 1, 33],
    [1, 7, 1],
  ],
];

/** Special operands per op: [a values, b values] (same shape [n]). */
const BINARY_SPECIAL: Record<BinaryKernelName, [number[], number[]]> = {
  add: [
    [3e38, -3e38, 1e-30, INF, INF, NAN, 1e7],
    [3e38, -3e38, -1e-30, -INF, 1, 2, 1e-7],
  ],
  sub: [
    [3e38, -3e38, 1e-30, INF, INF, NAN, 1],
    [-3e38, 3e38, 1e-30, INF, 1, 2, 1 - 1e-7],
  ],
  mul: [
    [1e20, 1e-20, -1e30, INF, 0, NAN, -0],
    [1e20, 1e-20, 1e10, 0, -5, 2, 3],
  ],
  div: [
    [1, -1, 0, 1e30, 1e-30, INF, NAN],
    [0, 0, 0, 1e-10, 1e10, INF, 1],
  ],
  pow: [
    [0, 0, 0, 2, 2, 10, -8, -2, -2, 1, 1e-3, INF],
    [0, -1, 2, -200, 200, 38.5, 1 / 3, 3, -2, NAN, 0.5, -1],
  ],
  maximum: [
    [1, NAN, -INF, 1e30, -0, 3],
    [NAN, 2, INF, -1e30, 0, 3],
  ],
  minimum: [
    [1, NAN, -INF, 1e30, -0, 3],
    [NAN, 2, INF, -1e30, 0, 3],
  ],
  eq: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
  ne: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
  lt: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
  le: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
  gt: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
  ge: [
    [NAN, 1, INF, -INF, 0, 1e-30],
    [NAN, NAN, INF, INF, -0, 0],
  ],
};

function binaryCases(op: BinaryKernelName): ComputeCase[] {
  const rng = new Rng(2000 + BINARY_NAMES.indexOf(op));
  const one = (name: string, a: HostTensor, b: HostTensor): ComputeCase => {
    const outShape = broadcastShape(a.shape, b.shape);
    return kc(
      name,
      [a, b],
      (k, [x, y]) => [k[op]!(x!, y!, outShape)],
      () => [mapBinary(op, a, b)],
    );
  };
  const cases = BROADCASTS.map(([sa, sb]) =>
    one(`${op} ${sh(sa)} with ${sh(sb)}`, binaryInput(op, rng, sa, 0), binaryInput(op, rng, sb, 1)),
  );
  const [sa, sb] = BINARY_SPECIAL[op];
  cases.push(one(`${op} special values`, host([sa.length], 'float32', sa), host([sb.length], 'float32', sb)));
  if (op === 'pow') {
    // Negative bases with integral exponents are defined.
    cases.push(
      one('pow negative base, integral exponents', randn(rng, [2, 5], 2), host([5], 'float32', [0, 1, 2, 3, -1])),
    );
  }
  const intOps: BinaryKernelName[] = ['add', 'sub', 'mul', 'maximum', 'minimum', ...comparisonNames];
  if (intOps.includes(op)) {
    cases.push(one(`${op} int32 [2,3] with [3]`, randint(rng, [2, 3], -50, 50), randint(rng, [3], -50, 50)));
    cases.push(
      one(
        `${op} int32 large magnitudes`,
        host([3], 'int32', [1 << 20, -(1 << 20), 46340]),
        host([3], 'int32', [1000, -7, 46340]),
      ),
    );
  }
  if (op === 'eq' || op === 'ne') {
    cases.push(one(`${op} bool [2,3] with [3]`, randbool(rng, [2, 3]), randbool(rng, [3])));
  }
  return cases;
}

function whereCases(): ComputeCase[] {
  const rng = new Rng(3000);
  const one = (name: string, c: HostTensor, a: HostTensor, b: HostTensor): ComputeCase => {
    const outShape = broadcastShape(c.shape, a.shape, b.shape);
    return kc(
      name,
      [c, a, b],
      (k, [x, y, z]) => [k.where(x!, y!, z!, outShape)],
      () => [whereRef(c, a, b)],
    );
  };
  return [
    one('where same shape [3,4]', randbool(rng, [3, 4]), randn(rng, [3, 4]), randn(rng, [3, 4])),
    one('where broadcast cond [3,1], a [4], b rank-0', randbool(rng, [3, 1]), randn(rng, [4]), randn(rng, [])),
    one('where rank-0 cond', host([], 'bool', [1]), randn(rng, [2, 3]), randn(rng, [2, 3])),
    one('where all rank-0', host([], 'bool', [0]), randn(rng, []), randn(rng, [])),
    one('where empty [0,3]', randbool(rng, [0, 3]), randn(rng, [1, 3]), randn(rng, [3])),
    one(
      'where int32 values [2,1,3] x [4,1]',
      randbool(rng, [2, 1, 3]),
      randint(rng, [4, 1], -9, 9),
      randint(rng, [3], -9, 9),
    ),
    one('where bool values', randbool(rng, [5]), randbool(rng, [5]), randbool(rng, [1])),
    one(
      'where special values',
      host([4], 'bool', [1, 0, 1, 0]),
      host([4], 'float32', [NAN, 1, INF, 2]),
      host([4], 'float32', [3, NAN, 4, -INF]),
    ),
  ];
}

export function unaryKernelCases(): Record<UnaryName, ComputeCase[]> {
  return Object.fromEntries(UNARY_NAMES.map((op) => [op, unaryCases(op)])) as Record<UnaryName, ComputeCase[]>;
}

export function binaryKernelCases(): Record<BinaryKernelName, ComputeCase[]> {
  return Object.fromEntries(BINARY_NAMES.map((op) => [op, binaryCases(op)])) as Record<BinaryKernelName, ComputeCase[]>;
}

export { leakyReluCases, whereCases };
