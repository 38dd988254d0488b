/**
 * Pure 2-D pooling (NCHW) with stride, padding, dilation and ceil_mode, following PyTorch's CPU
 * kernels: max pooling treats padding as -inf and returns flat h*W+w indices within the input
 * plane (a NaN wins, the last NaN in scan order); average pooling divides by divisorOverride, else
 * by the window clipped to the padded input (countIncludePad) or by the in-input taps.
 */
import type { Pool2dParams, Shape } from '@flint/core/backend';
import { poolWasmBase64 } from '../wasm/pool-bytes.js';
import { release } from './buffers.js';
import { alloc, take, takeF32 } from './util.js';
import { align16, loadSimdModule } from './wasm-module.js';

/** src/wasm/pool.wat: max pooling over 2x2 stride-2 windows and its backward, four per f32x4 step. */
const wasm = loadSimdModule(poolWasmBase64);
type MaxPool2x2Export = (
  x: number,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
  vals: number,
  idx: number,
) => void;
const maxPool2x2Wasm = wasm?.exports.maxPool2x2 as MaxPool2x2Export;

export type PoolImpl = 'wasm-simd' | 'js';
let poolImpl: PoolImpl = wasm === null ? 'js' : 'wasm-simd';

/** The max-pooling implementations available in this engine (tests run each). */
export const poolImpls: PoolImpl[] = wasm === null ? ['js'] : ['wasm-simd', 'js'];

/** Select the 2x2 stride-2 max pooling's implementation (tests, benchmarks); returns the previous one. */
export function setPoolImpl(impl: PoolImpl): PoolImpl {
  if (impl === 'wasm-simd' && wasm === null) throw new Error('WebAssembly SIMD is not available in this engine');
  const prev = poolImpl;
  poolImpl = impl;
  return prev;
}

/** Per output position along one axis: first in-input tap, number of in-input taps, taps within the padded input. */
interface AxisWindows {
  first: Int32Array;
  valid: Int32Array;
  padded: Int32Array;
}

function axisWindows(outSize: number, inSize: number, k: number, s: number, p: number, d: number): AxisWindows {
  const first = new Int32Array(outSize);
  const valid = new Int32Array(outSize);
  const padded = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * s - p;
    const t0 = start < 0 ? Math.ceil(-start / d) : 0;
    const tEnd = Math.min(k, Math.max(0, Math.ceil((inSize - start) / d)));
    first[o] = start + t0 * d;
    valid[o] = Math.max(0, tEnd - t0);
    padded[o] = Math.min(k, Math.max(0, Math.ceil((inSize + p - start) / d)));
  }
  return { first, valid, padded };
}

export function maxPool2d(
  x: Float32Array,
  xShape: Shape,
  params: Pool2dParams,
  outShape: Shape,
): { values: Float32Array; indices: Int32Array } {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const Ho = outShape[2]!;
  const Wo = outShape[3]!;
  const [dH, dW] = params.dilation;
  const hw = axisWindows(Ho, H, params.kernelSize[0], params.stride[0], params.padding[0], dH);
  const ww = axisWindows(Wo, W, params.kernelSize[1], params.stride[1], params.padding[1], dW);
  const values = takeF32(N * C * Ho * Wo);
  const indices = take('int32', N * C * Ho * Wo) as Int32Array;
  if (isFull2x2(hw, ww, params)) {
    if (poolImpl === 'wasm-simd' && isTiling2x2(params) && maxPool2x2Simd(x, N * C, H, W, Ho, Wo, values, indices))
      return { values, indices };
    maxPool2x2(x, N * C, H, W, Ho, Wo, hw.first, ww.first, values, indices);
    return { values, indices };
  }
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = hw.first[oh]!;
      const hn = hw.valid[oh]!;
      for (let ow = 0; ow < Wo; ow++, o++) {
        const w0 = ww.first[ow]!;
        const wn = ww.valid[ow]!;
        let best = -Infinity;
        let bestIdx = h0 * W + w0;
        for (let i = 0, ih = h0; i < hn; i++, ih += dH) {
          for (let j = 0, iw = w0; j < wn; j++, iw += dW) {
            const idx = ih * W + iw;
            const v = x[base + idx]!;
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIdx = idx;
            }
          }
        }
        values[o] = best;
        indices[o] = bestIdx;
      }
    }
  }
  return { values, indices };
}

/** Every window 2x2, undilated and inside the input (LeNet's and most CNNs' pooling). */
function isFull2x2(hw: AxisWindows, ww: AxisWindows, params: Pool2dParams): boolean {
  if (params.kernelSize[0] !== 2 || params.kernelSize[1] !== 2) return false;
  if (params.dilation[0] !== 1 || params.dilation[1] !== 1) return false;
  return hw.valid.every((v) => v === 2) && ww.valid.every((v) => v === 2);
}

/** Full 2x2 windows at stride 2 from the plane's corner: window (oh, ow) starts at (2*oh, 2*ow). */
function isTiling2x2(params: Pool2dParams): boolean {
  return params.stride[0] === 2 && params.stride[1] === 2 && params.padding[0] === 0 && params.padding[1] === 0;
}

/**
 * maxPool2x2 on WebAssembly SIMD: operands in the storage heap passed by address, others copied
 * into the module's scratch (values and indices copied out); false where the module is missing or
 * the scratch cannot be had (over 2 GiB, the heap full).
 */
function maxPool2x2Simd(
  x: Float32Array,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
  values: Float32Array,
  indices: Int32Array,
): boolean {
  if (wasm === null) return false;
  const xLen = planes * H * W;
  const n = planes * Ho * Wo;
  // the loops write exactly n values and indices: any heap array is written in place
  const [dx, dv, di] = [wasm.holds(x), wasm.holds(values), wasm.holds(indices)];
  const xBytes = dx ? 0 : align16(xLen * 4);
  const vBytes = dv ? 0 : align16(n * 4);
  const need = xBytes + vBytes + (di ? 0 : n * 4);
  if (need > 0 && !wasm.reserve(need)) return false;
  const base = wasm.base;
  const X = dx ? x.byteOffset : base;
  const V = dv ? values.byteOffset : base + xBytes;
  const I = di ? indices.byteOffset : base + xBytes + vBytes;
  if (!dx) wasm.f32.set(x.subarray(0, xLen), X >> 2);
  maxPool2x2Wasm(X, planes, H, W, Ho, Wo, V, I);
  if (!dv) values.set(wasm.f32.subarray(V >> 2, (V >> 2) + n));
  if (!di) indices.set(wasm.i32.subarray(I >> 2, (I >> 2) + n));
  return true;
}

/**
 * maxPool2d for full 2x2 windows: the general loop unrolled, with the same scan order and
 * comparison (`v > best || NaN`), so ties keep the first tap and the last NaN wins.
 */
function maxPool2x2(
  x: Float32Array,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
  rowFirst: Int32Array,
  colFirst: Int32Array,
  values: Float32Array,
  indices: Int32Array,
): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = rowFirst[oh]! * W;
      const r1 = r0 + W;
      for (let ow = 0; ow < Wo; ow++, o++) {
        const c = colFirst[ow]!;
        let best = x[base + r0 + c]!;
        let idx = r0 + c;
        let v = x[base + r0 + c + 1]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          idx = r0 + c + 1;
        }
        v = x[base + r1 + c]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          idx = r1 + c;
        }
        v = x[base + r1 + c + 1]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          idx = r1 + c + 1;
        }
        values[o] = best;
        indices[o] = idx;
      }
    }
  }
}

type MaxPool2x2BackwardExport = (
  dy: number,
  idx: number,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
  dx: number,
) => number;
const maxPool2x2BackwardWasm = wasm?.exports.maxPool2x2Backward as MaxPool2x2BackwardExport;

/**
 * dx written whole in WebAssembly SIMD where every index lies in its own window's 2x2 block at
 * stride 2 (disjoint blocks: at most one dy per position, so no zero-fill and scatter); null where
 * one does not (other window shapes) or the module is missing.
 */
function maxPool2x2BackwardSimd(
  dy: Float32Array,
  indices: Int32Array,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
): Float32Array | null {
  if (poolImpl !== 'wasm-simd' || wasm === null || H < 2 * Ho || W < 2 * Wo) return null;
  const n = planes * Ho * Wo;
  const xLen = planes * H * W;
  if (n === 0) return null;
  // dx is written exactly (xLen floats): a heap array in place, else copied out of the scratch
  const dx = takeF32(xLen);
  const [dd, di, dout] = [wasm.holds(dy), wasm.holds(indices), wasm.holds(dx)];
  const dyBytes = dd ? 0 : align16(n * 4);
  const iBytes = di ? 0 : align16(n * 4);
  const need = dyBytes + iBytes + (dout ? 0 : xLen * 4);
  if (need > 0 && !wasm.reserve(need)) {
    release(dx);
    return null;
  }
  const base = wasm.base;
  const D = dd ? dy.byteOffset : base;
  const I = di ? indices.byteOffset : base + dyBytes;
  const X = dout ? dx.byteOffset : base + dyBytes + iBytes;
  if (!dd) wasm.f32.set(dy.subarray(0, n), D >> 2);
  if (!di) wasm.i32.set(indices.subarray(0, n), I >> 2);
  if (maxPool2x2BackwardWasm(D, I, planes, H, W, Ho, Wo, X) === 0) {
    release(dx);
    return null;
  }
  if (!dout) dx.set(wasm.f32.subarray(X >> 2, (X >> 2) + xLen));
  return dx;
}

/** dx[plane, indices[o]] += dy[o]. */
export function maxPool2dBackward(dy: Float32Array, dyShape: Shape, indices: Int32Array, xShape: Shape): Float32Array {
  const planes = xShape[0]! * xShape[1]!;
  const planeSize = xShape[2]! * xShape[3]!;
  const per = dyShape[2]! * dyShape[3]!;
  const simd = maxPool2x2BackwardSimd(dy, indices, planes, xShape[2]!, xShape[3]!, dyShape[2]!, dyShape[3]!);
  if (simd !== null) return simd;
  const dx = alloc('float32', planes * planeSize) as Float32Array;
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * planeSize;
    for (let i = 0; i < per; i++, o++) dx[base + indices[o]!]! += dy[o]!;
  }
  return dx;
}

function avgDivisor(params: Pool2dParams, hValid: number, wValid: number, hPadded: number, wPadded: number): number {
  if (params.divisorOverride !== undefined && params.divisorOverride !== 0) return params.divisorOverride;
  return params.countIncludePad ? hPadded * wPadded : hValid * wValid;
}

export function avgPool2d(x: Float32Array, xShape: Shape, params: Pool2dParams, outShape: Shape): Float32Array {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const Ho = outShape[2]!;
  const Wo = outShape[3]!;
  const [dH, dW] = params.dilation;
  const hw = axisWindows(Ho, H, params.kernelSize[0], params.stride[0], params.padding[0], dH);
  const ww = axisWindows(Wo, W, params.kernelSize[1], params.stride[1], params.padding[1], dW);
  const out = takeF32(N * C * Ho * Wo);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = hw.first[oh]!;
      const hn = hw.valid[oh]!;
      for (let ow = 0; ow < Wo; ow++, o++) {
        const w0 = ww.first[ow]!;
        const wn = ww.valid[ow]!;
        let s = 0;
        for (let i = 0, ih = h0; i < hn; i++, ih += dH) {
          const row = base + ih * W;
          for (let j = 0, iw = w0; j < wn; j++, iw += dW) s += x[row + iw]!;
        }
        // PyTorch: a window with no in-input tap averages to 0 (never 0/0).
        out[o] = hn === 0 || wn === 0 ? 0 : s / avgDivisor(params, hn, wn, hw.padded[oh]!, ww.padded[ow]!);
      }
    }
  }
  return out;
}

export function avgPool2dBackward(dy: Float32Array, dyShape: Shape, xShape: Shape, params: Pool2dParams): Float32Array {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const Ho = dyShape[2]!;
  const Wo = dyShape[3]!;
  const [dH, dW] = params.dilation;
  const hw = axisWindows(Ho, H, params.kernelSize[0], params.stride[0], params.padding[0], dH);
  const ww = axisWindows(Wo, W, params.kernelSize[1], params.stride[1], params.padding[1], dW);
  const dx = alloc('float32', N * C * H * W) as Float32Array;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = hw.first[oh]!;
      const hn = hw.valid[oh]!;
      for (let ow = 0; ow < Wo; ow++, o++) {
        const w0 = ww.first[ow]!;
        const wn = ww.valid[ow]!;
        if (hn === 0 || wn === 0) continue;
        const g = dy[o]! / avgDivisor(params, hn, wn, hw.padded[oh]!, ww.padded[ow]!);
        for (let i = 0, ih = h0; i < hn; i++, ih += dH) {
          const row = base + ih * W;
          for (let j = 0, iw = w0; j < wn; j++, iw += dW) dx[row + iw]! += g;
        }
      }
    }
  }
  return dx;
}
