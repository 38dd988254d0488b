/** Layout references: permute, slice, pad, concat, expand, cast, oneHot. */
import type { DType, Shape } from '@flint/core/backend';
import { broadcastAt, host, ravel, sizeOfShape, unravel, type HostTensor } from './tensor.js';

function build(shape: Shape, dtype: DType, f: (idx: number[]) => number): HostTensor {
  const n = sizeOfShape(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(unravel(i, shape));
  return host(shape, dtype, out);
}

export function permuteRef(x: HostTensor, perm: readonly number[]): HostTensor {
  const shape = perm.map((p) => x.shape[p]!);
  return build(shape, x.dtype, (idx) => {
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, i) => {
      src[p] = idx[i]!;
    });
    return x.data[ravel(src, x.shape)]!;
  });
}

export function sliceRef(
  x: HostTensor,
  begin: readonly number[],
  step: readonly number[],
  outShape: Shape,
): HostTensor {
  return build(
    outShape,
    x.dtype,
    (idx) =>
      x.data[
        ravel(
          idx.map((v, i) => begin[i]! + v * step[i]!),
          x.shape,
        )
      ]!,
  );
}

export function padRef(x: HostTensor, pads: readonly (readonly [number, number])[], value: number): HostTensor {
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  return build(shape, x.dtype, (idx) => {
    const src = idx.map((v, i) => v - pads[i]![0]);
    if (src.some((v, i) => v < 0 || v >= x.shape[i]!)) return value;
    return x.data[ravel(src, x.shape)]!;
  });
}

export function concatRef(xs: readonly HostTensor[], axis: number): HostTensor {
  const first = xs[0]!;
  const shape = [...first.shape];
  shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
  return build(shape, first.dtype, (idx) => {
    let pos = idx[axis]!;
    for (const t of xs) {
      const len = t.shape[axis]!;
      if (pos < len) {
        const src = [...idx];
        src[axis] = pos;
        return t.data[ravel(src, t.shape)]!;
      }
      pos -= len;
    }
    throw new Error('concatRef: index out of range');
  });
}

export function expandRef(x: HostTensor, outShape: Shape): HostTensor {
  return build(outShape, x.dtype, (idx) => broadcastAt(x, idx));
}

export function castRef(x: HostTensor, dtype: DType): HostTensor {
  const conv = (v: number) => (dtype === 'bool' ? (v !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(v) : v);
  return host(x.shape, dtype, Array.from(x.data, conv));
}

export function oneHotRef(indices: HostTensor, numClasses: number, dtype: DType): HostTensor {
  const shape = [...indices.shape, numClasses];
  return build(shape, dtype, (idx) => {
    const c = idx[idx.length - 1]!;
    return indices.data[ravel(idx.slice(0, -1), indices.shape)] === c ? 1 : 0;
  });
}
