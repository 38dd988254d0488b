/** Test helpers: seeded data, naive float64 reference implementations, closeness assertions. */
import { expectClose as sharedExpectClose, Rng } from '@flint/conformance';
import { expect } from 'vitest';

export type Shape = readonly number[];

export function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The shared seeded generator (conformance's Rng) as a function. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

export function randF32(n: number, seed = 1, lo = -2, hi = 2): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function randI32(n: number, seed = 1, lo = -10, hi = 10): Int32Array {
  const r = rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo + 1) * r());
  return out;
}

export function unravel(flat: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

/** Index into `shape` (right-aligned) from an output coordinate, stretching size-1 dims. */
export function broadcastIndex(outIdx: readonly number[], shape: Shape): number {
  const off = outIdx.length - shape.length;
  return ravel(
    shape.map((n, d) => (n === 1 ? 0 : outIdx[d + off]!)),
    shape,
  );
}

export function refBinary(
  f: (x: number, y: number) => number,
  a: ArrayLike<number>,
  aShape: Shape,
  b: ArrayLike<number>,
  bShape: Shape,
  outShape: Shape,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < size(outShape); i++) {
    const idx = unravel(i, outShape);
    out.push(f(a[broadcastIndex(idx, aShape)]!, b[broadcastIndex(idx, bShape)]!));
  }
  return out;
}

export function broadcastShape(a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Naive float64 batched matmul. */
export function refMatmul(
  a: ArrayLike<number>,
  aShape: Shape,
  b: ArrayLike<number>,
  bShape: Shape,
  tA: boolean,
  tB: boolean,
): { out: number[]; shape: number[] } {
  const ra = aShape.length;
  const rb = bShape.length;
  const M = tA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const K = tA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const N = tB ? bShape[rb - 2]! : bShape[rb - 1]!;
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const shape = [...batch, M, N];
  const out: number[] = [];
  for (let t = 0; t < size(batch); t++) {
    const bi = unravel(t, batch);
    const aBase = broadcastIndex(bi, aShape.slice(0, -2)) * M * K;
    const bBase = broadcastIndex(bi, bShape.slice(0, -2)) * K * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a[aBase + (tA ? k * M + i : i * K + k)]!;
          const bv = b[bBase + (tB ? j * K + k : k * N + j)]!;
          s += av * bv;
        }
        out.push(s);
      }
  }
  return { out, shape };
}

/** conformance's expectClose with positional tolerances: |actual - expected| <= atol + rtol*|expected|. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  sharedExpectClose(actual, expected, { rtol, atol });
}

/** Exact equality, element by element (for int32/bool results and exact float ops). */
export function expectEqual(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(Array.from(actual)).toEqual(Array.from(expected));
}
