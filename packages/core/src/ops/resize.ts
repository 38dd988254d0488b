/**
 * F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic, area), F.pixel_shuffle and
 * F.pixel_unshuffle, composed from existing kernels. Interpolation is separable: each spatial dim
 * is one indexSelect (nearest), or two (linear) or four (cubic) blended with host-computed
 * weights, so the gradient is indexSelect's scatter-add. Source positions and weights follow
 * PyTorch's CPU kernels in float32 (Math.fround), so the picked neighbours are PyTorch's at every
 * size.
 */
import { formatShape } from '../backend/shape.js';
import { fromArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { indexSelect } from './indexing.js';
import { permute, reshape } from './layout.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from './pooling.js';
import { op } from './op.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'area';

export interface InterpolateOptions {
  /** Output spatial size (one int for every dim, or one per dim). Exactly one of size and scaleFactor. */
  size?: number | readonly number[] | null;
  /** Multiplier of each spatial size (one for every dim, or one per dim); the output is floor(in * scale). */
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  /** linear/bilinear/bicubic only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
  /** Use in/out instead of 1/scaleFactor as the scale between output and input positions. */
  recomputeScaleFactor?: boolean | null;
}

const MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'area'];
const f32 = Math.fround;

/** PyTorch's compute_scales_value in float32: 1/scaleFactor when one was given, else in/out. */
function scaleValue(scale: number | null, n: number, m: number): number {
  return scale !== null && scale > 0 ? f32(1 / scale) : f32(n / m);
}

/** Nearest source position of each output position (nearest_idx / nearest_neighbor_exact_compute_source_index). */
function nearestIndex(n: number, m: number, scale: number | null, exact: boolean): Int32Array {
  const s = scaleValue(scale, n, m);
  return Int32Array.from({ length: m }, (_, i) => {
    if (!exact) {
      if (m === n) return i;
      if (m === 2 * n) return i >> 1;
      return Math.min(Math.floor(f32(i * s)), n - 1);
    }
    return Math.min(Math.floor(f32(f32(i + 0.5) * s)), n - 1);
  });
}

/** Linear interpolation's two neighbours and the second one's weight (compute_source_index_and_lambda). */
function linearTaps(n: number, m: number, scale: number | null, alignCorners: boolean) {
  const i0 = new Int32Array(m);
  const i1 = new Int32Array(m);
  const w1 = new Float32Array(m);
  const ratio = alignCorners ? (m > 1 ? f32(f32(n - 1) / f32(m - 1)) : 0) : scaleValue(scale, n, m);
  for (let i = 0; i < m; i++) {
    if (m === n) {
      i0[i] = i;
      i1[i] = i;
      continue;
    }
    let src = alignCorners ? f32(ratio * i) : f32(f32(ratio * f32(i + 0.5)) - 0.5);
    if (!alignCorners && src < 0) src = 0;
    const lo = Math.trunc(src);
    i0[i] = lo;
    i1[i] = lo + (lo < n - 1 ? 1 : 0);
    w1[i] = Math.min(Math.max(f32(src - lo), 0), 1);
  }
  return { i0, i1, w1 };
}

/** PyTorch's cubic convolution weights (A = -0.75) in float32. */
const CUBIC_A = -0.75;
const cubic1 = (x: number): number => f32(f32(f32(f32(CUBIC_A + 2) * x - (CUBIC_A + 3)) * x) * x + 1);
const cubic2 = (x: number): number =>
  f32(f32(f32(f32(f32(CUBIC_A * x) - 5 * CUBIC_A) * x) + 8 * CUBIC_A) * x - 4 * CUBIC_A);

/**
 * Bicubic interpolation's four neighbours (clamped to the input, as upsample_get_value_bounded)
 * and their weights per output position; the source position is not clamped at 0 (cubic).
 */
function cubicTaps(n: number, m: number, scale: number | null, alignCorners: boolean) {
  const taps = Array.from({ length: 4 }, () => new Int32Array(m));
  const weights = Array.from({ length: 4 }, () => new Float32Array(m));
  const ratio = alignCorners ? (m > 1 ? f32(f32(n - 1) / f32(m - 1)) : 0) : scaleValue(scale, n, m);
  for (let i = 0; i < m; i++) {
    const src = alignCorners ? f32(ratio * i) : f32(f32(ratio * f32(i + 0.5)) - 0.5);
    const lo = Math.floor(src);
    const t = f32(src - lo);
    const w = [cubic2(f32(t + 1)), cubic1(t), cubic1(f32(1 - t)), cubic2(f32(f32(1 - t) + 1))];
    for (let k = 0; k < 4; k++) {
      taps[k]![i] = Math.min(Math.max(lo - 1 + k, 0), n - 1);
      weights[k]![i] = w[k]!;
    }
  }
  return { taps, weights };
}

function perDim(v: number | readonly number[], dims: number, name: string): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : [...v];
  if (list.length !== dims) {
    throw new Error(
      `interpolate: Input and ${name} must have the same number of spatial dimensions, but got input with spatial dimensions of ${dims} and ${name} of ${formatShape(list)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and ${name} in (o1, o2, ...,oK) format.`,
    );
  }
  return list;
}

/** F.interpolate on [N, C, L] (nearest, linear, area) or [N, C, H, W] (nearest, bilinear, bicubic, area). */
export function interpolate(x: Tensor, options: InterpolateOptions = {}): Tensor {
  const mode = options.mode ?? 'nearest';
  if (!MODES.includes(mode))
    throw new Error(`interpolate: mode '${String(mode)}' is not supported (one of ${MODES.join(', ')})`);
  const dims = x.ndim - 2;
  if (dims !== 1 && dims !== 2) {
    throw new Error(
      `interpolate: Input Error: Only 3D and 4D input Tensors are supported (got ${x.ndim}D, shape ${formatShape(x.shape)}) for the modes: ${MODES.join('/')}`,
    );
  }
  if ((mode === 'linear' && dims !== 1) || ((mode === 'bilinear' || mode === 'bicubic') && dims !== 2)) {
    throw new Error(
      `interpolate: Got ${x.ndim}D input, but ${mode} mode needs ${mode === 'linear' ? '3D' : '4D'} input (shape ${formatShape(x.shape)})`,
    );
  }
  const interpolating = mode === 'linear' || mode === 'bilinear' || mode === 'bicubic';
  const alignCorners = options.alignCorners ?? null;
  if (alignCorners !== null && !interpolating) {
    throw new Error(
      'interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear',
    );
  }
  const size = options.size ?? null;
  const scaleFactor = options.scaleFactor ?? null;
  if (size !== null && scaleFactor !== null)
    throw new Error('interpolate: only one of size or scale_factor should be defined');
  if (size === null && scaleFactor === null)
    throw new Error('interpolate: either size or scale_factor should be defined');
  const inSizes = x.shape.slice(2);
  let outSizes: number[];
  let scales: (number | null)[];
  if (size !== null) {
    outSizes = perDim(size, dims, 'output_size');
    scales = outSizes.map(() => null);
  } else {
    const factors = perDim(scaleFactor!, dims, 'scale_factor');
    outSizes = factors.map((f, i) => Math.floor(inSizes[i]! * f));
    scales = options.recomputeScaleFactor === true ? outSizes.map(() => null) : factors;
  }
  for (const m of outSizes) {
    if (!Number.isInteger(m) || m <= 0)
      throw new Error(
        `interpolate: output size must be positive integers, got ${formatShape(outSizes)} for input ${formatShape(x.shape)}`,
      );
  }
  if (mode === 'area')
    return dims === 1 ? adaptiveAvgPool1d(x, outSizes[0]!) : adaptiveAvgPool2d(x, [outSizes[0]!, outSizes[1]!]);
  return op('interpolate', () => {
    let cur = x;
    for (let d = 0; d < dims; d++) {
      const dim = 2 + d;
      const n = inSizes[d]!;
      const m = outSizes[d]!;
      const device = x.device;
      const index = (v: Int32Array) => fromArray(v, [m], { dtype: 'int32', device });
      if (!interpolating) {
        cur = indexSelect(cur, dim, index(nearestIndex(n, m, scales[d]!, mode === 'nearest-exact')));
        continue;
      }
      const wShape = cur.shape.map((_, i) => (i === dim ? m : 1));
      if (mode === 'bicubic') {
        // PyTorch's cubic kernel has no same-size shortcut: a scale factor != 1 resamples even
        // when the size stays (weights of 0, 1, 0, 0 at the input's own positions are skipped).
        const { taps, weights } = cubicTaps(n, m, scales[d]!, alignCorners ?? false);
        const identity = m === n && weights[1]!.every((w, i) => w === 1 && taps[1]![i] === i);
        if (identity) continue;
        let sum: Tensor | null = null;
        for (let k = 0; k < 4; k++) {
          const term = indexSelect(cur, dim, index(taps[k]!)).mul(fromArray(weights[k]!, wShape, { device }));
          sum = sum === null ? term : sum.add(term);
        }
        cur = sum!;
        continue;
      }
      if (m === n) continue;
      const { i0, i1, w1 } = linearTaps(n, m, scales[d]!, alignCorners ?? false);
      const weight = fromArray(w1, wShape, { device });
      const a = indexSelect(cur, dim, index(i0));
      const b = indexSelect(cur, dim, index(i1));
      // a + w (b - a) in PyTorch's form: a (1 - w) + b w.
      cur = a.mul(weight.neg().add(1)).add(b.mul(weight));
    }
    return cur === x ? reshape(x, x.shape) : cur;
  });
}

function shuffleArgs(op: string, x: Tensor, factor: number, name: string): void {
  if (!Number.isInteger(factor) || factor <= 0)
    throw new Error(`${op}: ${name} must be a positive integer, got ${factor}`);
  if (x.ndim < 3)
    throw new Error(
      `${op}: ${op} expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`,
    );
}

/** F.pixel_shuffle: [*, C r^2, H, W] -> [*, C, H r, W r]. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  shuffleArgs('pixel_shuffle', x, upscaleFactor, 'upscale_factor');
  const r = upscaleFactor;
  const lead = x.shape.slice(0, -3);
  const [c, h, w] = x.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0) {
    throw new Error(
      `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${r * r}`,
    );
  }
  const oc = c / (r * r);
  const k = lead.length;
  return op('pixelShuffle', () => {
    const split = reshape(x, [...lead, oc, r, r, h, w]);
    const lk = [...Array(k).keys()];
    // [*, oc, r1, r2, h, w] -> [*, oc, h, r1, w, r2]
    const moved = permute(split, [...lk, k, k + 3, k + 1, k + 4, k + 2]);
    return reshape(moved, [...lead, oc, h * r, w * r]);
  });
}

/** F.pixel_unshuffle: [*, C, H r, W r] -> [*, C r^2, H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  shuffleArgs('pixel_unshuffle', x, downscaleFactor, 'downscale_factor');
  const r = downscaleFactor;
  const lead = x.shape.slice(0, -3);
  const [c, h, w] = x.shape.slice(-3) as [number, number, number];
  if (h % r !== 0 || w % r !== 0) {
    throw new Error(
      `pixel_unshuffle expects height and width to be divisible by downscale_factor, but input.size(-2)=${h} and input.size(-1)=${w} are not both divisible by ${r}`,
    );
  }
  const k = lead.length;
  return op('pixelUnshuffle', () => {
    const split = reshape(x, [...lead, c, h / r, r, w / r, r]);
    const lk = [...Array(k).keys()];
    // [*, c, oh, r1, ow, r2] -> [*, c, r1, r2, oh, ow]
    const moved = permute(split, [...lk, k, k + 2, k + 4, k + 1, k + 3]);
    return reshape(moved, [...lead, c * r * r, h / r, w / r]);
  });
}
