/**
 * What the Tensor methods that create or convert need: Tensor.new_zeros/new_ones/new_full/
 * new_empty/new_tensor (this tensor's dtype and device unless given), type_as, long()/double()
 * (PyTorch's int64/float64, stored as int32/float32), and the values the random in-place fills
 * (uniform_, normal_, bernoulli_) write, drawn by core's seeded host generator as rand/randn are.
 */
import type { DType, Shape } from '../backend/kernels.js';
import { formatShape, shapesEqual, sizeOf, tryBroadcastShapes } from '../backend/shape.js';
import { getBackend } from '../backend/registry.js';
import { noGrad } from '../autograd/grad-mode.js';
import { defaultGenerator, type Generator } from '../random.js';
import { isTensor } from '../tensor/binding.js';
import {
  hostValues,
  INT32_MAX,
  INT32_MIN,
  resolveDtype,
  toInt32,
  type DTypeName,
  type HostData,
} from '../tensor/host-data.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast, clamp, where } from './elementwise.js';
import { torchTypeName } from './math.js';
import { castNoGrad, output } from './util.js';
import { op } from './op.js';

export interface NewTensorOptions {
  /** This tensor's dtype when omitted; int64/float64 are stored as int32/float32. */
  dtype?: DTypeName;
  /** This tensor's device when omitted. */
  device?: string;
  requiresGrad?: boolean;
}

export type SizeArgs = (number | readonly number[] | NewTensorOptions)[];

/** new_zeros(2, 3), new_zeros([2, 3]) and new_zeros([2, 3], { dtype }). */
export function parseSizeArgs(op: string, args: SizeArgs): [number[], NewTensorOptions] {
  const rest = [...args];
  let options: NewTensorOptions = {};
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    options = last as NewTensorOptions;
    rest.pop();
  }
  const shape = (rest.length === 1 && Array.isArray(rest[0]) ? [...(rest[0] as number[])] : rest) as number[];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new Error(`${op}: invalid size ${formatShape(shape)}: sizes must be non-negative integers`);
  }
  return [shape, options];
}

function finish(t: Tensor, options: NewTensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Tensor.new_full: `value` in this tensor's dtype and on its device unless options say otherwise. */
export function newFull(
  self: Tensor,
  op: string,
  shape: Shape,
  value: number | boolean,
  options: NewTensorOptions,
): Tensor {
  const dtype = resolveDtype(options.dtype, op) ?? self.dtype;
  const backend = options.device === undefined ? self.backend : getBackend(options.device);
  const v = Number(value);
  const fill = dtype === 'int32' ? toInt32(v, op, () => '') : dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  return finish(output(backend, backend.kernels.fill(shape, dtype, fill), shape, dtype), options);
}

/** Tensor.new_tensor: host data (or a tensor's values, copied) in this tensor's dtype and device by default. */
export function newTensor(self: Tensor, data: HostData | Tensor, options: NewTensorOptions): Tensor {
  const dtype = resolveDtype(options.dtype, 'newTensor') ?? self.dtype;
  const device = options.device ?? self.device;
  if (isTensor(data)) {
    const copy = noGrad(() =>
      op('newTensor', () => {
        const moved = data.device === device ? data : data.to(device);
        return moved.dtype === dtype ? moved.clone() : convertDtype(moved, dtype);
      }),
    );
    return finish(copy, options);
  }
  const host = hostValues(data, dtype, 'newTensor');
  const backend = getBackend(device);
  return finish(output(backend, backend.kernels.write(host.values, host.shape, dtype), host.shape, dtype), options);
}

/** The largest float32 below 2^31: where float -> int32 saturates. */
const LARGEST_FLOAT_BELOW_2_31 = 2147483520;

/**
 * float32 -> int32 the way long() does it: truncation toward zero, saturating at the int32 limits
 * rather than wrapping (checking the values would need a readback; no op reads back). NaN gives
 * what the backend's cast gives (0 on cpu).
 */
function saturatingInt(x: Tensor): Tensor {
  return noGrad(() =>
    op('long', () => {
      const ints = castNoGrad(clamp(x, INT32_MIN, LARGEST_FLOAT_BELOW_2_31), 'int32');
      return where(x.ge(2 ** 31), INT32_MAX, ints);
    }),
  );
}

/** Convert to `dtype`: float -> int32 saturates (see saturatingInt); other casts as Tensor.to(). */
export function convertDtype(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === 'float32' && dtype === 'int32') return saturatingInt(x);
  return cast(x, dtype);
}

/** Tensor.type_as(other): this tensor in other's dtype (the same tensor when they match). */
export function typeAs(self: Tensor, other: Tensor): Tensor {
  return self.dtype === other.dtype ? self : convertDtype(self, other.dtype);
}

/** Tensor.type(dtype)'s targets: Flint's dtypes, PyTorch's 64-bit names and PyTorch's type names. */
const TYPE_TARGETS: Readonly<Record<string, DType>> = {
  float32: 'float32',
  int32: 'int32',
  bool: 'bool',
  int64: 'int32',
  float64: 'float32',
  'torch.FloatTensor': 'float32',
  'torch.DoubleTensor': 'float32',
  'torch.IntTensor': 'int32',
  'torch.LongTensor': 'int32',
  'torch.BoolTensor': 'bool',
};

/** Tensor.type(): PyTorch's type name ('torch.FloatTensor'). */
export function typeName(dtype: DType): string {
  return `torch.${torchTypeName(dtype)}Tensor`;
}

/** Tensor.type(dtype): the cast to a dtype or a PyTorch type name (the same tensor when it matches). */
export function typeCast(self: Tensor, dtype: string): Tensor {
  const target = TYPE_TARGETS[dtype];
  if (target === undefined) {
    throw new TypeError(`type(): unknown dtype '${dtype}' (expected one of ${Object.keys(TYPE_TARGETS).join(', ')})`);
  }
  return self.dtype === target ? self : convertDtype(self, target);
}

// ------------------------------------------------------------------ random in-place fills

export interface GeneratorOption {
  generator?: Generator;
}

function upload(self: Tensor, values: Float32Array): Tensor {
  const shape = self.shape;
  return op('upload', () => {
    const f = output(self.backend, self.backend.kernels.write(values, shape, 'float32'), shape, 'float32');
    return castNoGrad(f, self.dtype);
  });
}

function draw(n: number, sample: () => number): Float32Array {
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = sample();
  return values;
}

function requireFloatSelf(op: string, self: Tensor, kernel: string): void {
  if (self.dtype !== 'float32')
    throw new Error(`${op}: "${kernel}" not implemented for '${torchTypeName(self.dtype)}'`);
}

/** Values of uniform_(from, to): U[from, to), as nn.init.uniform_ draws them. */
export function uniformValues(self: Tensor, from: number, to: number, options: GeneratorOption): Tensor {
  requireFloatSelf('uniform_', self, 'check_uniform_bounds');
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new Error(`uniform_: from and to must be finite (got from=${from}, to=${to})`);
  if (from > to) throw new Error(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const g = options.generator ?? defaultGenerator;
  return upload(
    self,
    draw(self.numel, () => from + (to - from) * g.random()),
  );
}

/** Values of normal_(mean, std), as nn.init.normal_ draws them. */
export function normalValues(self: Tensor, mean: number, std: number, options: GeneratorOption): Tensor {
  requireFloatSelf('normal_', self, 'normal_kernel_cpu');
  if (!(std >= 0)) throw new Error(`normal_: normal expects std >= 0.0, but found std ${std}`);
  const g = options.generator ?? defaultGenerator;
  return upload(
    self,
    draw(self.numel, () => mean + std * g.normal()),
  );
}

/** Values of bernoulli_(p): 1 with probability p (a number, or a float tensor broadcastable to self), in self's dtype. */
export function bernoulliValues(self: Tensor, p: number | Tensor, options: GeneratorOption): Tensor {
  const g = options.generator ?? defaultGenerator;
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    return upload(
      self,
      draw(self.numel, () => (g.random() < p ? 1 : 0)),
    );
  }
  if (p.dtype !== 'float32') throw new Error(`bernoulli_: expected a float32 tensor of probabilities, got ${p.dtype}`);
  const joint = tryBroadcastShapes(self.shape, p.shape);
  if (joint === null || !shapesEqual(joint, self.shape)) {
    throw new Error(
      `bernoulli_: probabilities of shape ${formatShape(p.shape)} cannot be broadcast to the tensor's shape ${formatShape(self.shape)}`,
    );
  }
  const uniforms = draw(sizeOf(self.shape), () => g.random());
  return noGrad(() =>
    op('bernoulli_', () => {
      const u = output(
        self.backend,
        self.backend.kernels.write(uniforms, self.shape, 'float32'),
        self.shape,
        'float32',
      );
      return castNoGrad(where(u.lt(p), 1, 0), self.dtype);
    }),
  );
}
