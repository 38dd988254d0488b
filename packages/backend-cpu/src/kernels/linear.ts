import type { Shape, TensorRef } from '@flint/core/backend';
import { linear as impl } from '../impl/nn.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

/** Fused x @ W^T + b: one GEMM reading W transposed in place, bias preloaded into the output. */
export function linear(
  x: TensorRef<CpuStorage>,
  weight: TensorRef<CpuStorage>,
  bias: TensorRef<CpuStorage> | null,
  outShape: Shape,
): CpuStorage {
  void outShape;
  return wrap(impl(f32(x), x.shape, f32(weight), weight.shape, bias === null ? null : f32(bias)));
}
