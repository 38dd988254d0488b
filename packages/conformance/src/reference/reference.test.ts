/**
 * Checks the host references themselves against PyTorch's fixtures, so that the kernel suite's
 * "expected" values are independently verified (forward values and, for the image kernels, the
 * backward references against PyTorch's gradients).
 */
import { describe, expect, it } from 'vitest';
import { compareData, type Tolerance } from '../compare.js';
import { loadOpFixtures, type OpFixture } from '../fixtures/load.js';
import { axesOf, convParams, padPairs, poolParams, pySlice } from '../fixtures/torch-args.js';
import {
  argReduceRef,
  avgPool2dBackwardRef,
  avgPool2dRef,
  binaryRef,
  conv2dBackwardInputRef,
  conv2dBackwardWeightRef,
  conv2dRef,
  gatherRef,
  host,
  indexSelectRef,
  leakyReluRef,
  linearRef,
  logSoftmaxRef,
  mapBinary,
  mapUnary,
  matmulRef,
  maxPool2dBackwardRef,
  maxPool2dRef,
  oneHotRef,
  padRef,
  permuteRef,
  reduceRef,
  scatterAddRef,
  sliceRef,
  softmaxRef,
  toDataArray,
  unaryRef,
  whereRef,
  type BinaryName,
  type HostTensor,
  type UnaryName,
} from './index.js';

const TIGHT: Tolerance = { rtol: 2e-6, atol: 1e-7 };

const reshape = (t: HostTensor, shape: number[]): HostTensor => ({ ...t, shape });
const keepdims = (shape: readonly number[], axes: number[]) => shape.map((d, i) => (axes.includes(i) ? 1 : d));

type RefFn = (f: OpFixture) => { outputs: HostTensor[]; grads?: (HostTensor | null)[] };

function reduction(name: 'sum' | 'max' | 'min' | 'prod'): RefFn {
  return ({ inputs: [x], args }) => {
    const axes = axesOf(args.dim, x!.shape.length);
    const r = reduceRef(name, x!, axes);
    return { outputs: [args.keepdim ? reshape(r, keepdims(x!.shape, axes)) : r] };
  };
}

function maxMin(name: 'max' | 'min'): RefFn {
  return (f) => {
    const x = f.inputs[0]!;
    if (f.args.dim === undefined) return { outputs: [reduceRef(name, x, axesOf(null, x.shape.length))] };
    const axis = axesOf(f.args.dim, x.shape.length)[0]!;
    const v = reduceRef(name, x, [axis]);
    const i = argReduceRef(name === 'max' ? 'argmax' : 'argmin', x, axis);
    const ks = keepdims(x.shape, [axis]);
    return { outputs: f.args.keepdim ? [reshape(v, ks), reshape(i, ks)] : [v, i] };
  };
}

function argReduce(name: 'argmax' | 'argmin'): RefFn {
  return ({ inputs: [x], args }) => {
    if (args.dim === undefined) return { outputs: [argReduceRef(name, reshape(x!, [x!.data.length]), 0)] };
    const axis = axesOf(args.dim, x!.shape.length)[0]!;
    const r = argReduceRef(name, x!, axis);
    return { outputs: [args.keepdim ? reshape(r, keepdims(x!.shape, [axis])) : r] };
  };
}

function matmul(f: OpFixture) {
  let [a, b] = f.inputs as [HostTensor, HostTensor];
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  if (aVec) a = reshape(a, [1, a.shape[0]!]);
  if (bVec) b = reshape(b, [b.shape[0]!, 1]);
  const r = matmulRef(a, b);
  let shape = [...r.shape];
  if (bVec) shape = shape.slice(0, -1);
  if (aVec) shape.splice(shape.length - (bVec ? 1 : 2), 1);
  return { outputs: [reshape(r, shape)] };
}

const REFS: Record<string, RefFn> = {
  ...Object.fromEntries(
    (Object.keys(unaryRef) as UnaryName[]).map((op) => [
      op,
      (f: OpFixture) => ({ outputs: [mapUnary(f.inputs[0]!, unaryRef[op])] }),
    ]),
  ),
  'F.relu': (f) => ({ outputs: [mapUnary(f.inputs[0]!, unaryRef.relu)] }),
  'F.gelu': (f) => ({ outputs: [mapUnary(f.inputs[0]!, unaryRef.gelu)] }),
  'F.leaky_relu': (f) => ({ outputs: [mapUnary(f.inputs[0]!, leakyReluRef(f.args.negative_slope))] }),
  ...Object.fromEntries(
    (Object.keys(binaryRef) as BinaryName[]).map((op) => [
      op,
      (f: OpFixture) => ({ outputs: [mapBinary(op, f.inputs[0]!, f.inputs[1]!)] }),
    ]),
  ),
  where: (f) => ({ outputs: [whereRef(f.inputs[0]!, f.inputs[1]!, f.inputs[2]!)] }),
  sum: reduction('sum'),
  prod: reduction('prod'),
  amax: reduction('max'),
  amin: reduction('min'),
  max: maxMin('max'),
  min: maxMin('min'),
  argmax: argReduce('argmax'),
  argmin: argReduce('argmin'),
  softmax: (f) => ({ outputs: [softmaxRef(f.inputs[0]!, axesOf(f.args.dim, f.inputs[0]!.shape.length)[0]!)] }),
  log_softmax: (f) => ({
    outputs: [logSoftmaxRef(f.inputs[0]!, axesOf(f.args.dim, f.inputs[0]!.shape.length)[0]!)],
  }),
  matmul,
  'F.linear': (f) => ({ outputs: [linearRef(f.inputs[0]!, f.inputs[1]!, f.inputs[2] ?? null)] }),
  transpose: ({ inputs: [x], args }) => {
    const r = x!.shape.length;
    const perm = Array.from({ length: r }, (_, i) => i);
    const [d0, d1] = [axesOf(args.dim0, r)[0]!, axesOf(args.dim1, r)[0]!];
    [perm[d0], perm[d1]] = [perm[d1]!, perm[d0]!];
    return { outputs: [permuteRef(x!, perm)] };
  },
  permute: ({ inputs: [x], args }) => ({ outputs: [permuteRef(x!, args.dims)] }),
  slice: ({ inputs: [x], args }) => {
    const parts = (args.slices as (number | null)[][]).map(([a, b, c], i) => pySlice(x!.shape[i]!, a!, b!, c!));
    return {
      outputs: [
        sliceRef(
          x!,
          parts.map((p) => p[0]),
          parts.map((p) => p[1]),
          parts.map((p) => p[2]),
        ),
      ],
    };
  },
  gather: ({ inputs: [x, i], args }) => ({ outputs: [gatherRef(x!, args.dim, i!)] }),
  scatter_add: ({ inputs: [x, i, s], args }) => ({ outputs: [scatterAddRef(x!, args.dim, i!, s!)] }),
  index_select: ({ inputs: [x, i], args }) => ({ outputs: [indexSelectRef(x!, args.dim, i!)] }),
  'F.one_hot': ({ inputs: [i], args }) => ({ outputs: [oneHotRef(i!, args.num_classes, 'int32')] }),
  'F.pad': ({ inputs: [x], args }) => ({
    outputs: [padRef(x!, padPairs(args.pad, x!.shape.length), args.value ?? 0)],
  }),
  'F.conv2d': (f) => {
    const [x, w, b] = f.inputs as [HostTensor, HostTensor, HostTensor | undefined];
    const p = convParams(f.args);
    let y = conv2dRef(x, w, p);
    if (b !== undefined) y = mapBinary('add', y, reshape(b, [b.shape[0]!, 1, 1]));
    const cot = f.cotangents[0]!;
    const grads: (HostTensor | null)[] = [
      conv2dBackwardInputRef(cot, w, x.shape, p),
      conv2dBackwardWeightRef(x, cot, w.shape, p),
    ];
    if (b !== undefined) grads.push(reduceRef('sum', cot, [0, 2, 3]));
    return { outputs: [y], grads };
  },
  'F.max_pool2d': (f) => {
    const x = f.inputs[0]!;
    const [v, i] = maxPool2dRef(x, poolParams(f.args));
    return {
      outputs: f.args.return_indices ? [v, i] : [v],
      grads: [maxPool2dBackwardRef(f.cotangents[0]!, i, x.shape)],
    };
  },
  'F.avg_pool2d': (f) => {
    const x = f.inputs[0]!;
    const p = poolParams(f.args);
    return { outputs: [avgPool2dRef(x, p)], grads: [avgPool2dBackwardRef(f.cotangents[0]!, x.shape, p)] };
  },
};

function expectClose(actual: HostTensor, expected: HostTensor, label: string): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  const problems = compareData(toDataArray(host(actual.shape, expected.dtype, actual.data)), expected, TIGHT, label);
  expect(
    actual.dtype === expected.dtype || (actual.dtype === 'bool' && expected.dtype === 'bool'),
    `${label} dtype ${actual.dtype} vs ${expected.dtype}`,
  ).toBe(true);
  expect(problems).toEqual([]);
}

describe('host references agree with PyTorch (fixtures/ops.json)', () => {
  // padRef is the constant pad kernel's reference; F.pad's other modes are compositions (checked
  // through the public API by the op suite), with no kernel reference of their own.
  const constantPad = (f: OpFixture) => f.op !== 'F.pad' || (f.args.mode ?? 'constant') === 'constant';
  // Kernels get operands of one dtype (core promotes first), and so do their host references.
  const binary = new Set<string>(Object.keys(binaryRef));
  const oneDtype = (f: OpFixture) => !binary.has(f.op) || f.inputs.every((t) => t.dtype === f.inputs[0]!.dtype);
  // The sweep's cases (ops-sweep.json) test the public API around the kernels — type promotion,
  // negative dims, dim=None, forward-only cases — which core resolves before a kernel runs. The
  // int32 matrix products (ops-intmm.json) are core's composition on float32 kernels (int-matmul.ts).
  const kernelLevel = (f: OpFixture) => !f.name.startsWith('sweep ') && !f.name.startsWith('intmm ');
  const fixtures = loadOpFixtures().filter(
    (f) => REFS[f.op] !== undefined && constantPad(f) && oneDtype(f) && kernelLevel(f),
  );
  it('covers the kernel-level fixture ops', () => {
    expect(fixtures.length).toBeGreaterThan(150);
  });
  for (const f of fixtures) {
    it(f.name, () => {
      const r = REFS[f.op]!(f);
      expect(r.outputs.length).toBe(f.outputs.length);
      r.outputs.forEach((o, i) => {
        expectClose(o, f.outputs[i]!, `output ${i}`);
      });
      r.grads?.forEach((g, i) => {
        if (g !== null) expectClose(g, f.grads[i]!, `grad ${i}`);
      });
    });
  }
});

describe('reference helpers', () => {
  it('erf matches known values', () => {
    const known: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2.9, 0.9999589021219005],
      [3.1, 0.9999883513426328],
      [5, 0.9999999999984626],
      [-1.5, -0.9661051464753108],
    ];
    for (const [x, e] of known) expect(Math.abs(unaryRef.erf(x) - e)).toBeLessThan(1e-12);
  });
});
