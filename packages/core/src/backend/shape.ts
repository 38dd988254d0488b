/** Shape helpers shared by core and backends (pure, no tensors). */
import type { DataArray, DType, Shape } from './kernels.js';

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function tryBroadcastShapes(a: Shape, b: Shape): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/**
 * Strides that read `shape` (right-aligned) as if broadcast to `outShape`: broadcast dims get
 * stride 0. Backends use these to index inputs from an output position.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

export function arrayFor(dtype: DType, length: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Output spatial size of a conv/pool window (PyTorch's formula, ceil_mode aware). */
export function windowOutputSize(
  input: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = input + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // PyTorch: with ceil_mode the last window must start inside the input or left padding.
  if (ceilMode && (out - 1) * stride >= input + padding) out -= 1;
  return out;
}

/**
 * The same constant padding on fewer axes: an unpadded axis folds into the axis before it (padding
 * axis i by `a` rows of an unpadded inner axis of size d is padding the merged axis by a*d). For
 * backends with a rank limit (gpu.js: 6; tfjs's wasm PadV2 returns garbage past 6) and fewer index
 * computations; the padded output is the same bytes, reshaped.
 */
export function mergeUnpaddedAxes(
  shape: Shape,
  pads: readonly (readonly [number, number])[],
): { shape: number[]; pads: [number, number][] } {
  const outShape: number[] = [];
  const outPads: [number, number][] = [];
  shape.forEach((d, i) => {
    const [before, after] = pads[i]!;
    const last = outShape.length - 1;
    if (last >= 0 && before === 0 && after === 0) {
      outShape[last] = outShape[last]! * d;
      outPads[last] = [outPads[last]![0] * d, outPads[last]![1] * d];
    } else {
      outShape.push(d);
      outPads.push([before, after]);
    }
  });
  return { shape: outShape, pads: outPads };
}
