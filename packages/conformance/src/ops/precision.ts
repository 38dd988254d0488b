/**
 * Precision of large reductions (issue 9): sums, means, var/std, a vector norm and a matmul with
 * K = 1e6, run through @flint/core's public API on the backend under test and compared with a
 * float64 reference computed on the host from the very float32 inputs the backend received.
 *
 * Criterion: relative error |got - ref| / |ref| <= 1e-6. Float32 itself rounds a result by up to
 * 6e-8 relative, so 1e-6 leaves room for a pairwise or blocked sum (error ~ eps * log2 n) and
 * rejects a naive running float32 sum over 1e6 terms (error up to ~ eps * n, e.g. the mean of
 * 131,072 copies of 0.3 coming out as 0.30040). Where the reference is 0 (var/std of a constant
 * tensor) the bound is taken relative to the constant instead: |std| <= 1e-6 * 0.3 and
 * |var| <= (1e-6 * 0.3)^2. Inputs whose terms could cancel (a matmul, a sum) are drawn positive so
 * that the relative error of the result is a fair measure of the accumulation.
 */
import type { FlintApi, Tensor } from './adapters.js';
import { Rng } from '../reference/random.js';

export const PRECISION_RTOL = 1e-6;

interface PrecisionInput {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export interface PrecisionCase {
  readonly name: string;
  readonly inputs: () => PrecisionInput[];
  readonly run: (api: FlintApi, xs: readonly Tensor[]) => Tensor;
  /** float64 reference values of the output (row-major). */
  readonly reference: (inputs: readonly PrecisionInput[]) => number[];
  /** Absolute bound for a zero reference; otherwise the bound is PRECISION_RTOL * |ref|. */
  readonly zeroBound?: number;
}

const MILLION = 1_000_000;
const CONSTANT = Math.fround(0.3);

function constant(n: number, value = CONSTANT): PrecisionInput {
  return { data: new Float32Array(n).fill(value), shape: [n] };
}

function uniform(shape: readonly number[], seed: number, lo = 0, hi = 1): PrecisionInput {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.uniform(lo, hi)), shape };
}

/** Neumaier-compensated float64 sum of f(i) for i in [0, n). */
function accurateSum(n: number, f: (i: number) => number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = f(i);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

function meanOf(d: Float32Array): number {
  return accurateSum(d.length, (i) => d[i]!) / d.length;
}

/** Two-pass variance with Bessel's correction (torch's default). */
function varianceOf(d: Float32Array): number {
  const m = meanOf(d);
  return accurateSum(d.length, (i) => (d[i]! - m) ** 2) / (d.length - 1);
}

/** Sum over `axis` of a row-major tensor, every output accumulated in float64. */
function sumAxis(x: PrecisionInput, axis: number): number[] {
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) out.push(accurateSum(n, (i) => x.data[(o * n + i) * inner + j]!));
  return out;
}

const first = (xs: readonly Tensor[]): Tensor => xs[0]!;

export const PRECISION_CASES: readonly PrecisionCase[] = [
  {
    name: 'sum of 1e6 copies of 0.3',
    inputs: () => [constant(MILLION)],
    run: (_api, xs) => first(xs).sum(),
    reference: ([x]) => [x!.data.length * CONSTANT],
  },
  {
    name: 'mean of 1e6 copies of 0.3',
    inputs: () => [constant(MILLION)],
    run: (_api, xs) => first(xs).mean(),
    reference: () => [CONSTANT],
  },
  {
    name: 'mean of 131,072 copies of 0.3',
    inputs: () => [constant(131_072)],
    run: (_api, xs) => first(xs).mean(),
    reference: () => [CONSTANT],
  },
  {
    name: 'sum of 1e6 uniform [0, 1) values (seeded)',
    inputs: () => [uniform([MILLION], 1)],
    run: (_api, xs) => first(xs).sum(),
    reference: ([x]) => [accurateSum(x!.data.length, (i) => x!.data[i]!)],
  },
  {
    name: 'mean of 1e6 uniform [0, 1) values (seeded)',
    inputs: () => [uniform([MILLION], 2)],
    run: (_api, xs) => first(xs).mean(),
    reference: ([x]) => [meanOf(x!.data)],
  },
  {
    name: 'sum over dim 0 of a [500000, 2] tensor (non-last axis)',
    inputs: () => [uniform([500_000, 2], 3)],
    run: (_api, xs) => first(xs).sum(0),
    reference: ([x]) => sumAxis(x!, 0),
  },
  {
    name: 'sum over dim 1 of a [2, 250000, 2] tensor (middle axis)',
    inputs: () => [uniform([2, 250_000, 2], 4)],
    run: (_api, xs) => first(xs).sum(1),
    reference: ([x]) => sumAxis(x!, 1),
  },
  {
    name: 'var of 1e6 uniform [0, 1) values (seeded)',
    inputs: () => [uniform([MILLION], 5)],
    run: (_api, xs) => first(xs).var(),
    reference: ([x]) => [varianceOf(x!.data)],
  },
  {
    name: 'std of 1e6 uniform [0, 1) values (seeded)',
    inputs: () => [uniform([MILLION], 6)],
    run: (_api, xs) => first(xs).std(),
    reference: ([x]) => [Math.sqrt(varianceOf(x!.data))],
  },
  {
    name: 'std of 131,072 copies of 0.3 is 0 (|std| <= 1e-6 * 0.3)',
    inputs: () => [constant(131_072)],
    run: (_api, xs) => first(xs).std(),
    reference: () => [0],
    zeroBound: PRECISION_RTOL * CONSTANT,
  },
  {
    name: 'var of 131,072 copies of 0.3 is 0 (|var| <= (1e-6 * 0.3)^2)',
    inputs: () => [constant(131_072)],
    run: (_api, xs) => first(xs).var(),
    reference: () => [0],
    zeroBound: (PRECISION_RTOL * CONSTANT) ** 2,
  },
  {
    name: 'norm (p = 2) of 1e6 uniform [-1, 1) values (seeded)',
    inputs: () => [uniform([MILLION], 7, -1, 1)],
    run: (_api, xs) => first(xs).norm(),
    reference: ([x]) => [Math.sqrt(accurateSum(x!.data.length, (i) => x!.data[i]! ** 2))],
  },
  {
    name: 'matmul [1, 1e6] x [1e6, 1] (K = 1e6, positive terms)',
    inputs: () => [uniform([1, MILLION], 8), uniform([MILLION, 1], 9)],
    run: (api, xs) => api.matmul(xs[0]!, xs[1]!),
    reference: ([a, b]) => [accurateSum(MILLION, (i) => a!.data[i]! * b!.data[i]!)],
  },
];

/** Runs one case; throws naming the value, the reference and the relative error when off. */
export async function runPrecisionCase(api: FlintApi, device: string, c: PrecisionCase): Promise<void> {
  const inputs = c.inputs();
  const expected = c.reference(inputs);
  const xs = inputs.map((x) => api.fromArray(x.data, x.shape, { device }));
  let got: ArrayLike<number>;
  try {
    const out = api.tidy(() => c.run(api, xs));
    try {
      got = await out.data();
    } finally {
      out.dispose();
    }
  } finally {
    for (const x of xs) x.dispose();
  }
  if (got.length !== expected.length)
    throw new Error(`${c.name}: ${got.length} output values, expected ${expected.length}`);
  const problems: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = got[i]!;
    const bound = e === 0 ? c.zeroBound! : PRECISION_RTOL * Math.abs(e);
    const err = Math.abs(a - e);
    if (!(err <= bound)) {
      const rel =
        e === 0
          ? `|got| = ${err.toExponential(2)} > ${bound.toExponential(2)}`
          : `relative error ${(err / Math.abs(e)).toExponential(2)} > ${PRECISION_RTOL}`;
      problems.push(`output[${i}]: got ${a}, float64 reference ${e}: ${rel}`);
    }
  }
  if (problems.length > 0) throw new Error(`${c.name}:\n  ${problems.join('\n  ')}`);
}
