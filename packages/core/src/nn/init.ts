/**
 * nn.init: in-place initializers. Values are drawn by core's seeded host generator (so
 * manualSeed(n) gives the same weights on every backend) and written under noGrad.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../backend/shape.js';
import { defaultGenerator, type Generator } from '../random.js';
import { fromArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linearFns = [
    'linear',
    'conv1d',
    'conv2d',
    'conv3d',
    'conv_transpose1d',
    'conv_transpose2d',
    'conv_transpose3d',
  ];
  if (linearFns.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu' || nonlinearity === 'leakyRelu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param))
        throw new Error(`negative_slope ${String(param)} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3 / 4;
  throw new Error(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (dims 2...). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new Error(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape ${formatShape(t.shape)})`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fanFor(t: Tensor, mode: 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut'): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === 'fan_in' || mode === 'fanIn') return fanIn;
  if (mode === 'fan_out' || mode === 'fanOut') return fanOut;
  throw new Error(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
}

/** Fill `t` in place from host values drawn by `draw`. */
function fillFrom(t: Tensor, draw: () => number): Tensor {
  if (t.dtype !== 'float32') throw new Error(`nn.init: expected a float32 tensor, got ${t.dtype}`);
  const values = new Float32Array(t.numel);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  noGrad(() => {
    const src = fromArray(values, t.shape, { device: t.device, dtype: 'float32' });
    t.copy_(src);
    src.dispose();
  });
  return t;
}

/** U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return fillFrom(t, () => a + (b - a) * generator.random());
}

/** N(mean, std^2). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillFrom(t, () => mean + std * generator.normal());
}

/** N(mean, std^2) redrawn until inside [a, b]. */
export function truncNormal_(
  t: Tensor,
  mean = 0,
  std = 1,
  a = -2,
  b = 2,
  generator: Generator = defaultGenerator,
): Tensor {
  if (!(a < b)) throw new Error(`truncNormal_: expected a < b, got a=${a}, b=${b}`);
  return fillFrom(t, () => {
    for (let k = 0; k < 1000; k++) {
      const v = mean + std * generator.normal();
      if (v >= a && v <= b) return v;
    }
    return Math.min(Math.max(mean, a), b);
  });
}

export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** The identity matrix (2-D tensors only). */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new Error(`Only tensors with 2 dimensions are supported (got ${formatShape(t.shape)})`);
  const cols = t.shape[1]!;
  let i = 0;
  return fillFrom(t, () => {
    const r = Math.floor(i / cols);
    const c = i++ % cols;
    return r === c ? 1 : 0;
  });
}

/** Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a, generator);
}

/** Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  mode?: 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/** He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const fan = fanFor(t, options.mode ?? 'fan_in');
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform_(t, -bound, bound, options.generator);
}

/** He normal: N(0, std^2), std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const fan = fanFor(t, options.mode ?? 'fan_in');
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt(fan), options.generator);
}

/** Write host values (row-major, t's shape) into `t` in place. */
function writeValues(t: Tensor, values: Float32Array): Tensor {
  if (t.dtype !== 'float32') throw new Error(`nn.init: expected a float32 tensor, got ${t.dtype}`);
  noGrad(() => {
    const src = fromArray(values, t.shape, { device: t.device, dtype: 'float32' });
    t.copy_(src);
    src.dispose();
  });
  return t;
}

/**
 * A (semi-)orthogonal matrix (Saxe et al.): the Q of the QR decomposition of a normal draw, with
 * R's diagonal made positive, times gain; dims after the first are flattened. QR runs on the host
 * in float64 (modified Gram-Schmidt, which gives that sign convention directly).
 */
export function orthogonal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new Error(`Only tensors with 2 or more dimensions are supported (got ${formatShape(t.shape)})`);
  const rows = t.shape[0]!;
  const cols = rows === 0 ? 0 : t.numel / rows;
  if (t.numel === 0) return t;
  // A tall [m, n] matrix (m >= n) whose orthonormal columns we build; transposed back when rows < cols.
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const a: Float64Array[] = Array.from({ length: n }, () => new Float64Array(m));
  // Draw in the row-major order of the [rows, cols] matrix, as torch fills it.
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const v = generator.normal();
      if (rows >= cols) a[j]![i] = v;
      else a[i]![j] = v;
    }
  for (let k = 0; k < n; k++) {
    const col = a[k]!;
    for (let p = 0; p < k; p++) {
      const q = a[p]!;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i]! * col[i]!;
      for (let i = 0; i < m; i++) col[i]! -= dot * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += col[i]! * col[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) col[i] = norm > 0 ? col[i]! / norm : 0;
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (rows >= cols ? a[j]![i]! : a[i]![j]!);
  return writeValues(t, out);
}

/**
 * A sparse 2-D matrix: N(0, std^2) with ceil(sparsity * rows) entries of every column set to 0
 * (rows chosen at random per column), as torch.nn.init.sparse_.
 */
export function sparse_(t: Tensor, sparsity: number, std = 0.01, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim !== 2) throw new Error(`Only tensors with 2 dimensions are supported (got ${formatShape(t.shape)})`);
  if (!(sparsity >= 0 && sparsity <= 1)) throw new Error(`sparse_: sparsity must be in [0, 1], got ${sparsity}`);
  const [rows, cols] = t.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = std * generator.normal();
  for (let c = 0; c < cols; c++) {
    const perm = generator.randperm(rows);
    for (let k = 0; k < numZeros; k++) out[perm[k]! * cols + c] = 0;
  }
  return writeValues(t, out);
}

/**
 * The Dirac delta for 3-, 4- and 5-D convolution weights: a convolution with it keeps the input
 * channels (within each of `groups` groups; extra output channels are zero).
 */
export function dirac_(t: Tensor, groups = 1): Tensor {
  if (t.ndim < 3 || t.ndim > 5)
    throw new Error(`Only tensors with 3, 4, or 5 dimensions are supported (got ${formatShape(t.shape)})`);
  const sizes = t.shape;
  if (!Number.isInteger(groups) || groups < 1 || sizes[0]! % groups !== 0)
    throw new Error(`dim 0 must be divisible by groups (got ${sizes[0]} and groups=${groups})`);
  const outPerGroup = sizes[0]! / groups;
  const minDim = Math.min(outPerGroup, sizes[1]!);
  const strides = sizes.map((_, i) => sizes.slice(i + 1).reduce((a, b) => a * b, 1));
  let centre = 0;
  for (let i = 2; i < sizes.length; i++) centre += Math.floor(sizes[i]! / 2) * strides[i]!;
  const out = new Float32Array(t.numel);
  for (let g = 0; g < groups; g++)
    for (let d = 0; d < minDim; d++) out[(g * outPerGroup + d) * strides[0]! + d * strides[1]! + centre] = 1;
  return writeValues(t, out);
}
