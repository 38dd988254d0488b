/**
 * Random sampling ops: torch.normal (tensor or number mean and std), torch.bernoulli and
 * torch.multinomial. The random numbers come from core's seeded host generator (as rand/randn),
 * so a seed gives the same samples on every backend (not torch's mt19937 stream).
 *
 * normal and bernoulli draw standard normals / uniforms on the host, upload them and finish on the
 * device (mean + std * z, u < p): no readback. multinomial reads the probabilities back: the checks
 * PyTorch makes (negative, infinite or all-zero rows) and sampling without replacement need them.
 * As in PyTorch, normal and bernoulli results of inputs that require grad require grad, with zero
 * gradients (they are not reparameterised).
 */
import type { DataArray, DType, Shape } from '../backend/kernels.js';
import { arrayFor, formatShape, sizeOf } from '../backend/shape.js';
import { getBackend } from '../backend/registry.js';
import { noGrad } from '../autograd/grad-mode.js';
import { defaultGenerator, type Generator } from '../random.js';
import { isTensor } from '../tensor/binding.js';
import { resolveDtype, type DTypeName } from '../tensor/host-data.js';
import type { Tensor } from '../tensor/tensor.js';
import { where } from './elementwise.js';
import { torchTypeName } from './math.js';
import { op, recordGrad } from './op.js';
import { broadcastShapes, castNoGrad, constant, output } from './util.js';

export interface SamplingOptions {
  generator?: Generator;
}

export interface SampleCreationOptions extends SamplingOptions {
  dtype?: DTypeName;
  device?: string;
  requiresGrad?: boolean;
}

function draws(n: number, sample: () => number): Float32Array {
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = sample();
  return values;
}

function uploadOn(backend: Tensor['backend'], values: DataArray, shape: Shape, dtype: DType): Tensor {
  return output(backend, backend.kernels.write(values, shape, dtype), shape, dtype);
}

/** `out` requires grad when an input does, with zero gradients (PyTorch's rule for normal and bernoulli). */
function zeroGradient(out: Tensor, inputs: readonly Tensor[]): Tensor {
  const shapes = inputs.map((t) => t.shape);
  return recordGrad(out, inputs, [], (g) => shapes.map((s) => constant(g.backend, 0, 'float32', s)));
}

function requireFloatInput(op: string, kernel: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: "${kernel}" not implemented for '${torchTypeName(t.dtype)}'`);
}

// ------------------------------------------------------------------ normal

/**
 * torch.normal: normal(mean, std) with tensors (broadcast together) or a number for one of them,
 * N(mean, std^2) per element; normal(mean, std, size) with two numbers. A negative number std is
 * PyTorch's error; a tensor std is not checked (that needs a readback).
 */
export function normal(mean: Tensor, std?: Tensor | number, options?: SamplingOptions): Tensor;
export function normal(mean: number, std: Tensor, options?: SamplingOptions): Tensor;
export function normal(mean: number, std: number, size: readonly number[], options?: SampleCreationOptions): Tensor;
export function normal(
  mean: Tensor | number,
  std: Tensor | number = 1,
  sizeOrOptions?: readonly number[] | SamplingOptions,
  creation: SampleCreationOptions = {},
): Tensor {
  if (typeof std === 'number' && !(std >= 0)) throw new Error(`normal expects std >= 0.0, but found std ${std}`);
  if (typeof mean === 'number' && typeof std === 'number') {
    if (!Array.isArray(sizeOrOptions))
      throw new Error('normal(mean, std) with two numbers needs a size: normal(mean, std, size)');
    return normalFromNumbers(mean, std, sizeOrOptions as readonly number[], creation);
  }
  const options = (Array.isArray(sizeOrOptions) ? {} : (sizeOrOptions ?? {})) as SamplingOptions;
  const tensors = [mean, std].filter(isTensor);
  return op('normal', tensors, (backend) => {
    for (const t of tensors) requireFloatInput('normal', 'normal_kernel_cpu', t);
    const shape =
      isTensor(mean) && isTensor(std)
        ? broadcastShapes('normal', mean.shape, std.shape)
        : (tensors[0]!.shape as number[]);
    const g = options.generator ?? defaultGenerator;
    const z = uploadOn(
      backend,
      draws(sizeOf(shape), () => g.normal()),
      shape,
      'float32',
    );
    const out = noGrad(() => z.mul(std).add(mean));
    return zeroGradient(out, tensors);
  });
}

function normalFromNumbers(mean: number, std: number, size: readonly number[], options: SampleCreationOptions): Tensor {
  const dtype = resolveDtype(options.dtype, 'normal') ?? 'float32';
  if (dtype !== 'float32') throw new Error(`normal: "normal_kernel_cpu" not implemented for '${torchTypeName(dtype)}'`);
  for (const d of size) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`normal: invalid size ${formatShape(size)}: sizes must be non-negative integers`);
  }
  const g = options.generator ?? defaultGenerator;
  const backend = getBackend(options.device);
  const out = uploadOn(
    backend,
    draws(sizeOf(size), () => mean + std * g.normal()),
    size,
    'float32',
  );
  if (options.requiresGrad) out.requiresGrad_(true);
  return out;
}

// ------------------------------------------------------------------ bernoulli

/**
 * torch.bernoulli: bernoulli(input) draws 1 with probability input[i] (a float tensor of
 * probabilities, in its dtype); bernoulli(input, p) with one probability for every element, in
 * input's shape and dtype. Flint's mask form bernoulli(shape, p, options) makes a float32 tensor of
 * that shape (what dropout uses). Probabilities in a tensor are not range-checked (a readback).
 */
export function bernoulli(input: Tensor, options?: SamplingOptions): Tensor;
export function bernoulli(input: Tensor, p: number, options?: SamplingOptions): Tensor;
export function bernoulli(shape: readonly number[], p: number, options?: SampleCreationOptions): Tensor;
export function bernoulli(
  input: Tensor | readonly number[],
  pOrOptions?: number | SamplingOptions,
  maybeOptions: SampleCreationOptions = {},
): Tensor {
  const p = typeof pOrOptions === 'number' ? pOrOptions : null;
  const options = typeof pOrOptions === 'object' ? pOrOptions : maybeOptions;
  const g = options.generator ?? defaultGenerator;
  if (p !== null && !(p >= 0 && p <= 1)) throw new Error(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  if (!isTensor(input)) {
    if (p === null) throw new Error('bernoulli(shape, p): the mask form needs a probability p');
    const shape = [...input];
    const dtype = resolveDtype(maybeOptions.dtype, 'bernoulli') ?? 'float32';
    if (dtype !== 'float32') throw new Error(`bernoulli(shape, p): random floats need dtype float32, got ${dtype}`);
    const out = uploadOn(
      getBackend(maybeOptions.device),
      draws(sizeOf(shape), () => (g.random() < p! ? 1 : 0)),
      shape,
      'float32',
    );
    if (maybeOptions.requiresGrad) out.requiresGrad_(true);
    return out;
  }
  return op('bernoulli', [input], (backend) => {
    const shape = input.shape;
    if (p !== null) {
      const ones = uploadOn(
        backend,
        draws(sizeOf(shape), () => (g.random() < p ? 1 : 0)),
        shape,
        'float32',
      );
      const out = castNoGrad(ones, input.dtype);
      return input.dtype === 'float32' ? zeroGradient(out, [input]) : out;
    }
    requireFloatInput('bernoulli', 'bernoulli_tensor_cpu_p_', input);
    const u = uploadOn(
      backend,
      draws(sizeOf(shape), () => g.random()),
      shape,
      'float32',
    );
    const out = noGrad(() => castNoGrad(where(u.lt(input), 1, 0), 'float32'));
    return zeroGradient(out, [input]);
  });
}

// ------------------------------------------------------------------ multinomial

export interface MultinomialOptions extends SamplingOptions {
  replacement?: boolean;
}

/** Index of the first cumulative weight above u (u < total, so a category of weight 0 is never picked). */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkRow(row: DataArray, r: number, replacement: boolean, rows: number): void {
  const where = rows > 1 ? ` (row ${r})` : '';
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const v = row[j]!;
    if (replacement) {
      if (!(v >= 0)) throw new Error(`invalid multinomial distribution (encountering probability entry < 0)${where}`);
      if (v === Infinity)
        throw new Error(`invalid multinomial distribution (encountering probability entry = infinity or NaN)${where}`);
    } else if (!(v >= 0 && v < Infinity)) {
      throw new Error(`probability tensor contains either \`inf\`, \`nan\` or element < 0${where}`);
    }
    sum += v;
  }
  if (!(sum > 0)) throw new Error(`invalid multinomial distribution (sum of probabilities <= 0)${where}`);
}

/** numSamples draws without replacement: the largest keys log(u) / w (Efraimidis–Spirakis), then weight-0 categories in order. */
function withoutReplacement(row: DataArray, numSamples: number, g: Generator, out: Int32Array, at: number): void {
  const keyed: { j: number; key: number }[] = [];
  const zeros: number[] = [];
  for (let j = 0; j < row.length; j++) {
    const w = row[j]!;
    if (w > 0) {
      let u = g.random();
      while (u === 0) u = g.random();
      keyed.push({ j, key: Math.log(u) / w });
    } else zeros.push(j);
  }
  keyed.sort((a, b) => b.key - a.key);
  const order = [...keyed.map((k) => k.j), ...zeros];
  for (let s = 0; s < numSamples; s++) out[at + s] = order[s]!;
}

/**
 * torch.multinomial(input, numSamples, replacement = false): per row of non-negative weights
 * (need not sum to 1), numSamples category indices (int32), drawn by the seeded host generator.
 * Without replacement every category appears at most once, in the order drawn. Reads input back.
 */
export function multinomial(
  input: Tensor,
  numSamples: number,
  replacement: boolean | MultinomialOptions = false,
  options: SamplingOptions = {},
): Tensor {
  const opts: MultinomialOptions = typeof replacement === 'object' ? replacement : { ...options, replacement };
  const withReplacement = opts.replacement ?? false;
  return op('multinomial', [input], (backend) => {
    if (input.dtype !== 'float32')
      throw new Error(`multinomial only supports floating-point dtypes for input, got: ${torchTypeName(input.dtype)}`);
    if (input.ndim !== 1 && input.ndim !== 2) throw new Error('prob_dist must be 1 or 2 dim');
    if (!Number.isInteger(numSamples) || numSamples <= 0)
      throw new Error(`cannot sample n_sample <= 0 samples (got numSamples=${numSamples})`);
    const k = input.shape[input.ndim - 1]!;
    if (!withReplacement && numSamples > k)
      throw new Error(
        `cannot sample n_sample > prob_dist.size(-1) samples without replacement (n_sample ${numSamples}, ${k} categories)`,
      );
    if (k > 2 ** 24) throw new Error('number of categories cannot exceed 2^24');
    const rows = input.ndim === 1 ? 1 : input.shape[0]!;
    const data = input.dataSync();
    const g = opts.generator ?? defaultGenerator;
    const out = arrayFor('int32', rows * numSamples) as Int32Array;
    for (let r = 0; r < rows; r++) {
      const row = data.subarray(r * k, (r + 1) * k);
      checkRow(row, r, withReplacement, rows);
      if (!withReplacement) {
        withoutReplacement(row, numSamples, g, out, r * numSamples);
        continue;
      }
      const cdf = new Float64Array(k);
      let acc = 0;
      let lastPositive = 0;
      for (let j = 0; j < k; j++) {
        cdf[j] = acc += row[j]!;
        if (row[j]! > 0) lastPositive = j;
      }
      // random() * acc can round up to acc itself: the last category of positive weight then.
      for (let s = 0; s < numSamples; s++)
        out[r * numSamples + s] = Math.min(searchCdf(cdf, g.random() * acc), lastPositive);
    }
    return uploadOn(backend, out, input.ndim === 1 ? [numSamples] : [rows, numSamples], 'int32');
  });
}
