/** Creation functions: tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, *Like. */
import type { DataArray, Shape } from '../backend/kernels.js';
import { arrayFor, formatShape, sizeOf } from '../backend/shape.js';
import { getBackend } from '../backend/registry.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Tensor } from './tensor.js';
import { checkOptionKeys } from '../options.js';
import {
  convertArray,
  dtypeOfArray,
  hostValues,
  resolveDtype,
  toInt32,
  type DTypeName,
  type HostData,
} from './host-data.js';

export interface TensorOptions {
  /** float32, int32 or bool; PyTorch's int64 and float64 are accepted and stored as int32 and float32. */
  dtype?: DTypeName;
  /** Backend name ('cpu', 'gpujs', 'tfjs'); the default backend when omitted. */
  device?: string;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Upload host values as a new leaf tensor. */
export function fromArray(values: DataArray, shape: Shape, options: TensorOptions = {}): Tensor {
  const dtype = resolveDtype(options.dtype, 'fromArray') ?? dtypeOfArray(values);
  if (values.length !== sizeOf(shape)) {
    throw new Error(
      `fromArray: ${values.length} values cannot fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`,
    );
  }
  const backend = getBackend(options.device);
  const data =
    values.constructor === arrayFor(dtype, 0).constructor ? values : convertArray(values, dtype, 'fromArray');
  const t = Tensor._fromHandle(backend, backend.kernels.write(data, shape, dtype), shape, dtype);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * torch.tensor. JavaScript has no integer literals, so plain numbers give float32 (pass
 * `{ dtype: 'int32' }` for indices and labels); booleans give bool; Int32Array gives int32.
 */
export function tensor(data: HostData, options: TensorOptions = {}): Tensor {
  checkOptionKeys('tensor', options, TENSOR_OPTIONS);
  const host = hostValues(data, resolveDtype(options.dtype, 'tensor'), 'tensor');
  return fromArray(host.values, host.shape, { ...options, dtype: host.dtype });
}

type ShapeArgs = (number | readonly number[] | TensorOptions)[];

/** TensorOptions and RandomOptions' keys. */
const TENSOR_OPTIONS = ['dtype', 'device', 'requiresGrad', 'generator'];

/** zeros(2, 3), zeros([2, 3]) and zeros([2, 3], { dtype }) all work. */
function parseShapeArgs(args: ShapeArgs, op: string): [number[], TensorOptions] {
  let options: TensorOptions = {};
  const rest = [...args];
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    options = last as TensorOptions;
    checkOptionKeys(op, options, TENSOR_OPTIONS);
    rest.pop();
  }
  const shape = rest.length === 1 && Array.isArray(rest[0]) ? [...(rest[0] as number[])] : (rest as number[]);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
    }
  }
  return [shape, options];
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const [s] = parseShapeArgs([shape], 'full');
  const dtype = resolveDtype(options.dtype, 'full') ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const fillValue = dtype === 'int32' ? toInt32(Number(value), 'full', () => '') : Number(value);
  const backend = getBackend(options.device);
  const t = Tensor._fromHandle(backend, backend.kernels.fill(s, dtype, fillValue), s, dtype);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

export function zeros(...args: ShapeArgs): Tensor {
  const [shape, options] = parseShapeArgs(args, 'zeros');
  return full(shape, 0, options);
}

export function ones(...args: ShapeArgs): Tensor {
  const [shape, options] = parseShapeArgs(args, 'ones');
  return full(shape, 1, options);
}

/** torch.empty: Flint fills with zeros (no uninitialised memory). */
export function empty(...args: ShapeArgs): Tensor {
  return zeros(...args);
}

function likeOptions(t: Tensor, options: TensorOptions): TensorOptions {
  return {
    dtype: options.dtype ?? t.dtype,
    device: options.device ?? t.device,
    requiresGrad: options.requiresGrad ?? false,
  };
}
export const zerosLike = (t: Tensor, options: TensorOptions = {}): Tensor => full(t.shape, 0, likeOptions(t, options));
export const onesLike = (t: Tensor, options: TensorOptions = {}): Tensor => full(t.shape, 1, likeOptions(t, options));
export const fullLike = (t: Tensor, value: number, options: TensorOptions = {}): Tensor =>
  full(t.shape, value, likeOptions(t, options));
export const emptyLike = zerosLike;

/** arange(end), arange(start, end), arange(start, end, step) — [start, end). */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  let lo = start;
  let hi = end;
  if (hi === undefined) {
    hi = start;
    lo = 0;
  }
  if (step === 0) throw new Error('arange: step must be nonzero');
  if ((hi - lo) / step < 0)
    throw new Error(
      `arange: upper bound and larger bound inconsistent with step sign (start=${lo}, end=${hi}, step=${step})`,
    );
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dtype = resolveDtype(options.dtype, 'arange') ?? 'float32';
  const values = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) values[i] = lo + i * step;
  return fromArray(values, [n], { ...options, dtype });
}

export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new Error(`linspace: number of steps must be non-negative (got ${steps})`);
  const values = new Float32Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the two halves from each end for symmetry.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  // one step is the start (PyTorch), not the end the second half would give
  if (steps === 1) values[0] = start;
  return fromArray(values, [steps], { ...options, dtype: resolveDtype(options.dtype, 'linspace') ?? 'float32' });
}

export function eye(n: number, m: number = n, options: TensorOptions = {}): Tensor {
  const dtype = resolveDtype(options.dtype, 'eye') ?? 'float32';
  const values = arrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromArray(values, [n, m], { ...options, dtype });
}

function randomTensor(shape: number[], options: RandomOptions, draw: (g: Generator) => number): Tensor {
  const g = options.generator ?? defaultGenerator;
  const dtype = resolveDtype(options.dtype, 'random') ?? 'float32';
  if (dtype !== 'float32') throw new Error(`random floats need dtype float32, got ${dtype}`);
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw(g);
  return fromArray(values, shape, { ...options, dtype });
}

type RandomArgs = (number | readonly number[] | RandomOptions)[];

/** Uniform [0, 1). */
export function rand(...args: RandomArgs): Tensor {
  const [shape, options] = parseShapeArgs(args, 'rand');
  return randomTensor(shape, options, (g) => g.random());
}

/** Standard normal. */
export function randn(...args: RandomArgs): Tensor {
  const [shape, options] = parseShapeArgs(args, 'randn');
  return randomTensor(shape, options, (g) => g.normal());
}

/** Integers in [low, high): randint(high, shape) or randint(low, high, shape). int32 by default. */
export function randint(
  low: number,
  high: number | readonly number[],
  shape?: readonly number[] | RandomOptions,
  options: RandomOptions = {},
): Tensor {
  let lo = low;
  let hi: number;
  let s: readonly number[];
  let opts = options;
  if (Array.isArray(high)) {
    hi = low;
    lo = 0;
    s = high;
    if (shape !== undefined && !Array.isArray(shape)) opts = shape as RandomOptions;
  } else {
    hi = high as number;
    s = (shape as readonly number[] | undefined) ?? [];
  }
  const g = opts.generator ?? defaultGenerator;
  const dtype = resolveDtype(opts.dtype, 'randint') ?? 'int32';
  const values = arrayFor(dtype, sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = g.randint(lo, hi);
  return fromArray(values, s, { ...opts, dtype });
}

export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const g = options.generator ?? defaultGenerator;
  return fromArray(g.randperm(n), [n], { ...options, dtype: resolveDtype(options.dtype, 'randperm') ?? 'int32' });
}

export const randLike = (t: Tensor, options: RandomOptions = {}): Tensor =>
  rand([...t.shape], { device: t.device, ...options });
export const randnLike = (t: Tensor, options: RandomOptions = {}): Tensor =>
  randn([...t.shape], { device: t.device, ...options });

/** torch.bernoulli(input), bernoulli(input, p), and Flint's mask form bernoulli(shape, p) (ops/sampling.ts). */
export { bernoulli } from '../ops/sampling.js';
