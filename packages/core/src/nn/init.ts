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
