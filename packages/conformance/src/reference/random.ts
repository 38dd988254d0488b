/** A small seeded generator for test inputs (mulberry32), independent of core's generator. */
import type { DType, Shape } from '@flint/core/backend';
import { host, sizeOfShape, type HostTensor } from './tensor.js';

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }
}

/** Float32 normal values (scaled). */
export function randn(rng: Rng, shape: Shape, scale = 1): HostTensor {
  const n = sizeOfShape(shape);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return host(shape, 'float32', v);
}

export function randu(rng: Rng, shape: Shape, lo: number, hi: number): HostTensor {
  const n = sizeOfShape(shape);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform(lo, hi);
  return host(shape, 'float32', v);
}

export function randint(rng: Rng, shape: Shape, lo: number, hi: number, dtype: DType = 'int32'): HostTensor {
  const n = sizeOfShape(shape);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.int(lo, hi);
  return host(shape, dtype, v);
}

export function randbool(rng: Rng, shape: Shape, pTrue = 0.5): HostTensor {
  const n = sizeOfShape(shape);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() < pTrue ? 1 : 0;
  return host(shape, 'bool', v);
}

/** Distinct float32 values in random order (no ties, for max-pool indices and arg-reductions). */
export function randDistinct(rng: Rng, shape: Shape): HostTensor {
  const n = sizeOfShape(shape);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.25 + 0.01);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return host(shape, 'float32', v);
}
