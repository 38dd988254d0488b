/**
 * im2col and col2im for conv2d: the column matrix of m images side by side, row
 * r = (c*kH + ki)*kW + kj of length m*Ho*Wo, image i's block at i*Ho*Wo.
 *
 * Runs in WebAssembly SIMD (src/wasm/conv.wat) where the engine validates it: the images (or the
 * column block) are copied into the module's memory, the loops run there with f32x4 row copies,
 * and the result is copied out, each copy one memcpy. The JavaScript loops are the fallback and
 * the tests' reference; `setColumnsImpl` switches between them.
 */
import { convWasmBase64 } from '../wasm/conv-bytes.js';
import { align16, loadSimdModule, type SimdModule } from './wasm-module.js';

/** The geometry im2col/col2im need (channels of one group). */
export interface ColumnGeometry {
  Cg: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  Ho: number;
  Wo: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
}

/** The output columns ow whose input column iw = ow*sW + shift lies inside [0, W): [lo, hi). */
function validColumns(shift: number, sW: number, W: number, Wo: number): [number, number] {
  const lo = shift >= 0 ? 0 : Math.ceil(-shift / sW);
  const hi = Math.min(Wo, Math.max(0, Math.ceil((W - shift) / sW)));
  return [Math.min(lo, hi), hi];
}

/**
 * col[colOff + ((c*kH + ki)*kW + kj)*ld + oh*Wo + ow] = x[xOff + c*H*W + ih*W + iw] (0 in the
 * padding), for c < Cg. The valid range of each output row is computed once, so the copy loop has
 * no bounds test.
 */
function im2colJs(
  x: Float32Array,
  xOff: number,
  g: ColumnGeometry,
  col: Float32Array,
  ld: number,
  colOff: number,
): void {
  const { H, W, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW, Cg } = g;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = xOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, r++) {
        const rowBase = colOff + r * ld;
        const wShift = kj * dW - pW;
        const [lo, hi] = validColumns(wShift, sW, W, Wo);
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sH - pH + ki * dH;
          const dst = rowBase + oh * Wo;
          // plain loops, not fill(): these runs are a few elements long and a builtin call costs more
          if (ih < 0 || ih >= H) {
            for (let ow = 0; ow < Wo; ow++) col[dst + ow] = 0;
            continue;
          }
          for (let ow = 0; ow < lo; ow++) col[dst + ow] = 0;
          for (let ow = hi; ow < Wo; ow++) col[dst + ow] = 0;
          const src = plane + ih * W + wShift;
          if (sW === 1) for (let ow = lo; ow < hi; ow++) col[dst + ow] = x[src + ow]!;
          else for (let ow = lo; ow < hi; ow++) col[dst + ow] = x[src + ow * sW]!;
        }
      }
    }
  }
}

/** The adjoint of im2colJs: dx[dxOff + c*H*W + ih*W + iw] += col[...] (padding positions dropped). */
function col2imJs(
  col: Float32Array,
  ld: number,
  colOff: number,
  g: ColumnGeometry,
  dx: Float32Array,
  dxOff: number,
): void {
  const { H, W, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW, Cg } = g;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = dxOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, r++) {
        const rowBase = colOff + r * ld;
        const wShift = kj * dW - pW;
        const [lo, hi] = validColumns(wShift, sW, W, Wo);
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sH - pH + ki * dH;
          if (ih < 0 || ih >= H) continue;
          const src = rowBase + oh * Wo;
          const dst = plane + ih * W + wShift;
          if (sW === 1) for (let ow = lo; ow < hi; ow++) dx[dst + ow]! += col[src + ow]!;
          else for (let ow = lo; ow < hi; ow++) dx[dst + ow * sW]! += col[src + ow]!;
        }
      }
    }
  }
}

// --- WebAssembly SIMD ---------------------------------------------------------------------------

type Im2colExport = (...args: number[]) => void;

const wasm = loadSimdModule(convWasmBase64);
const im2colWasm = wasm?.exports.im2col as Im2colExport;
const col2imWasm = wasm?.exports.col2im as Im2colExport;
const addRowBiasWasm = wasm?.exports.addRowBias as (p: number, rows: number, len: number, b: number) => void;

export type ColumnsImpl = 'wasm-simd' | 'js';
let current: ColumnsImpl = wasm === null ? 'js' : 'wasm-simd';

/** The implementations available in this engine (tests run each). */
export const columnsImpls: ColumnsImpl[] = wasm === null ? ['js'] : ['wasm-simd', 'js'];

/** Select im2col/col2im's implementation (tests, benchmarks); returns the previous one. */
export function setColumnsImpl(impl: ColumnsImpl): ColumnsImpl {
  if (impl === 'wasm-simd' && wasm === null) throw new Error('WebAssembly SIMD is not available in this engine');
  const prev = current;
  current = impl;
  return prev;
}

/**
 * Grow the module's memory to `bytes`; false (nothing changed) where that exceeds 2 GiB or the
 * geometry does not fit the module's 16-bit packed column ranges.
 */
function reserve(inst: SimdModule, bytes: number, g: ColumnGeometry): boolean {
  return g.Wo < 2 ** 15 && g.W < 2 ** 30 && inst.reserve(bytes);
}

function geometryArgs(g: ColumnGeometry): number[] {
  return [g.Cg, g.H, g.W, g.kH, g.kW, g.Ho, g.Wo, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW];
}

/**
 * The column block of m images into col[colOff, colOff + Cg*kH*kW*m*Ho*Wo) (rows of m*Ho*Wo):
 * image i's channels c < Cg at x[xOff + i*xStride + c*H*W].
 */
export function im2colImages(
  x: Float32Array,
  xOff: number,
  xStride: number,
  m: number,
  g: ColumnGeometry,
  col: Float32Array,
  colOff: number,
): void {
  const HoWo = g.Ho * g.Wo;
  const ld = m * HoWo;
  const colLen = g.Cg * g.kH * g.kW * ld;
  if (colLen === 0) return;
  const xLen = (m - 1) * xStride + g.Cg * g.H * g.W;
  const colPtr = align16(xLen * 4 + 16); // 16 bytes of slack: the f32x4 copies read up to 3 floats past a row
  if (current === 'wasm-simd' && wasm !== null && reserve(wasm, colPtr + colLen * 4 + 16, g)) {
    wasm.f32.set(x.subarray(xOff, xOff + xLen), 0);
    im2colWasm(0, xStride * 4, m, ...geometryArgs(g), colPtr);
    col.set(wasm.f32.subarray(colPtr >> 2, (colPtr >> 2) + colLen), colOff);
    return;
  }
  for (let i = 0; i < m; i++) im2colJs(x, xOff + i * xStride, g, col, ld, colOff + i * HoWo);
}

const col2imUnitWasm = wasm?.exports.col2imUnit as Im2colExport;

/**
 * col2imUnit's lane masks (column stride 1, undilated columns): for quad q of a dx row (positions p = 4q + lane)
 * and tap kj, all ones where p < W and the column p - kj + pW lies in [0, Wo), at (q*kW + kj)*4;
 * then each quad's in-row lanes (p < W) at (nq*kW + q)*4.
 */
function writeUnitMasks(masks: Int32Array, g: ColumnGeometry, nq: number): void {
  for (let q = 0; q < nq; q++)
    for (let lane = 0; lane < 4; lane++) {
      const p = 4 * q + lane;
      for (let kj = 0; kj < g.kW; kj++) {
        const ow = p - kj + g.pW;
        masks[(q * g.kW + kj) * 4 + lane] = p < g.W && ow >= 0 && ow < g.Wo ? -1 : 0;
      }
      masks[(nq * g.kW + q) * 4 + lane] = p < g.W ? -1 : 0;
    }
}

/**
 * The adjoint of im2colImages: dx[dxOff + i*xStride + c*H*W + ih*W + iw] += the column block of m
 * images at col[colOff, ...) (padding positions dropped).
 */
export function col2imImages(
  col: Float32Array,
  colOff: number,
  m: number,
  g: ColumnGeometry,
  dx: Float32Array,
  dxOff: number,
  xStride: number,
): void {
  const HoWo = g.Ho * g.Wo;
  const ld = m * HoWo;
  const colLen = g.Cg * g.kH * g.kW * ld;
  if (colLen === 0) return;
  const xLen = (m - 1) * xStride + g.Cg * g.H * g.W;
  const unit = g.sW === 1 && g.dW === 1;
  // col2imUnit's reads stray a few floats around col (kW before a row, up to W + pW + 3 after the
  // last) and its quads 3 floats past dx: slack on every side; then its masks
  const slack = 4 * (g.kW + g.W + g.pW + 8);
  const colPtr = align16(xLen * 4 + slack);
  const masksPtr = align16(colPtr + colLen * 4 + slack);
  const nq = (g.W + 3) >> 2;
  const end = unit ? masksPtr + nq * (g.kW + 1) * 16 : colPtr + colLen * 4;
  if (current === 'wasm-simd' && wasm !== null && reserve(wasm, end, g)) {
    wasm.f32.set(dx.subarray(dxOff, dxOff + xLen), 0);
    wasm.f32.set(col.subarray(colOff, colOff + colLen), colPtr >> 2);
    if (unit) {
      writeUnitMasks(new Int32Array(wasm.f32.buffer, masksPtr, nq * (g.kW + 1) * 4), g, nq);
      col2imUnitWasm(
        colPtr,
        m,
        g.Cg,
        g.H,
        g.W,
        g.kH,
        g.kW,
        g.Ho,
        g.Wo,
        g.sH,
        g.pH,
        g.pW,
        g.dH,
        0,
        xStride * 4,
        masksPtr,
      );
    } else col2imWasm(colPtr, m, ...geometryArgs(g), 0, xStride * 4);
    dx.set(wasm.f32.subarray(0, xLen), dxOff);
    return;
  }
  for (let i = 0; i < m; i++) col2imJs(col, ld, colOff + i * HoWo, g, dx, dxOff + i * xStride);
}

/**
 * mat[r*len + j] + bias[biasOff + r] for r < rows, j < len (each sum a float32 add) in the
 * module's memory: a view valid until the next call into this module, or null where the SIMD
 * module is unavailable (the caller adds in JavaScript).
 */
export function withRowBias(
  mat: Float32Array,
  rows: number,
  len: number,
  bias: Float32Array,
  biasOff: number,
): Float32Array | null {
  if (current !== 'wasm-simd' || wasm === null) return null;
  const n = rows * len;
  const biasPtr = align16(n * 4);
  if (!wasm.reserve(biasPtr + rows * 4)) return null;
  wasm.f32.set(mat.subarray(0, n), 0);
  wasm.f32.set(bias.subarray(biasOff, biasOff + rows), biasPtr >> 2);
  addRowBiasWasm(0, rows, len, biasPtr);
  return wasm.f32.subarray(0, n);
}

// --- direct convolution of a single-channel input (stride 1, undilated) ------------------------

type PadExport = (
  src: number,
  N: number,
  H: number,
  W: number,
  pH: number,
  pW: number,
  dst: number,
  Hp: number,
  Wp: number,
) => void;
const padWasm = wasm?.exports.pad as PadExport;
const conv1DirectWasm = wasm?.exports.conv1Direct as (...args: number[]) => void;
const conv1WeightGradWasm = wasm?.exports.conv1WeightGrad as (...args: number[]) => void;

/** The single-channel geometry the direct kernels take: x [N, 1, H, W], O output channels, stride 1. */
export interface DirectGeometry {
  N: number;
  H: number;
  W: number;
  pH: number;
  pW: number;
  O: number;
  kH: number;
  kW: number;
  Ho: number;
  Wo: number;
}

/**
 * Copies x into the module and pads it there; returns the byte address just past the padded
 * input (16-aligned), or -1 where the module is missing or the working set (`extraBytes` more)
 * exceeds 2 GiB.
 */
function loadPadded(x: Float32Array, g: DirectGeometry, extraBytes: number): number {
  if (current !== 'wasm-simd' || wasm === null) return -1;
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  const xLen = g.N * g.H * g.W;
  const xpPtr = align16(xLen * 4);
  const end = align16(xpPtr + g.N * Hp * Wp * 4 + 32);
  if (!wasm.reserve(end + extraBytes)) return -1;
  wasm.f32.set(x.subarray(0, xLen), 0);
  padWasm(0, g.N, g.H, g.W, g.pH, g.pW, xpPtr, Hp, Wp);
  return end;
}

/**
 * out [N, O, Ho, Wo] = the direct convolution of x [N, 1, H, W] with w [O, 1, kH, kW] (+ bias
 * [O], a separate float32 add), taps summed in order in float32. False (nothing written) where
 * the SIMD module is unavailable.
 */
export function directConv1(
  x: Float32Array,
  g: DirectGeometry,
  w: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
): boolean {
  const taps = g.O * g.kH * g.kW;
  const outLen = g.N * g.O * g.Ho * g.Wo;
  const wvBytes = taps * 16;
  const end = loadPadded(x, g, wvBytes + align16(g.O * 4) + outLen * 4);
  if (end < 0 || wasm === null) return false;
  const wv = end;
  const biasPtr = wv + wvBytes;
  const outPtr = align16(biasPtr + g.O * 4);
  const heap = wasm.f32;
  for (let t = 0; t < taps; t++) heap.fill(w[t]!, (wv >> 2) + 4 * t, (wv >> 2) + 4 * t + 4);
  if (bias !== null) heap.set(bias.subarray(0, g.O), biasPtr >> 2);
  else heap.fill(0, biasPtr >> 2, (biasPtr >> 2) + g.O);
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  const xpPtr = align16(g.N * g.H * g.W * 4);
  conv1DirectWasm(xpPtr, g.N, Hp, Wp, wv, g.O, g.kH, g.kW, g.Ho, g.Wo, biasPtr, bias === null ? 0 : 1, outPtr);
  out.set(heap.subarray(outPtr >> 2, (outPtr >> 2) + outLen));
  return true;
}

/**
 * The weight gradient of directConv1, float64 sums (float32 chunks of at most 32 terms) rounded once into dw
 * [O, 1, kH, kW]. False (nothing written) where the SIMD module is unavailable.
 */
export function directConv1WeightGrad(x: Float32Array, g: DirectGeometry, dy: Float32Array, dw: Float32Array): boolean {
  const taps = g.O * g.kH * g.kW;
  const dyLen = g.N * g.O * g.Ho * g.Wo;
  // dy, 16 bytes of slack (a row's masked tail step reads past it), dw (float64), the totals (160 bytes)
  const end = loadPadded(x, g, align16(dyLen * 4 + 16) + align16(taps * 8) + 160);
  if (end < 0 || wasm === null) return false;
  const dyPtr = end;
  const dwPtr = align16(dyPtr + dyLen * 4 + 16);
  const totPtr = align16(dwPtr + taps * 8);
  wasm.f32.set(dy.subarray(0, dyLen), dyPtr >> 2);
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  const xpPtr = align16(g.N * g.H * g.W * 4);
  conv1WeightGradWasm(xpPtr, g.N, Hp, Wp, dyPtr, g.O, g.kH, g.kW, g.Ho, g.Wo, dwPtr, totPtr);
  dw.set(new Float64Array(wasm.f32.buffer, dwPtr, taps));
  return true;
}

// --- the GEMM's [channels, images*Ho*Wo] matrix <-> NCHW ---------------------------------------

const matToNchwWasm = wasm?.exports.matToNchw as (...args: number[]) => void;
const nchwToMatWasm = wasm?.exports.nchwToMat as (...args: number[]) => void;

/**
 * out[outOff ...] = the NCHW block of m images from the output matrix mat [O, m*HoWo] (all O
 * channels: groups = 1), + bias[o] as a separate float32 add when given. One call per chunk in
 * place of a typed-array copy per (image, channel) block. False where the SIMD module is missing.
 */
export function matrixToNchw(
  mat: Float32Array,
  O: number,
  m: number,
  HoWo: number,
  bias: Float32Array | null,
  out: Float32Array,
  outOff: number,
): boolean {
  if (current !== 'wasm-simd' || wasm === null) return false;
  const n = O * m * HoWo;
  const biasPtr = align16(n * 4);
  const tPtr = align16(biasPtr + O * 4);
  if (!wasm.reserve(tPtr + n * 4)) return false;
  wasm.f32.set(mat.subarray(0, n), 0);
  if (bias !== null) wasm.f32.set(bias.subarray(0, O), biasPtr >> 2);
  matToNchwWasm(0, tPtr, O, m, HoWo, O, 0, biasPtr, bias === null ? 0 : 1);
  out.set(wasm.f32.subarray(tPtr >> 2, (tPtr >> 2) + n), outOff);
  return true;
}

/**
 * mat [Og, m*HoWo] = channels [gOff, gOff + Og) of the NCHW block of m images at t[tOff ...] (O
 * channels). False where the SIMD module is missing.
 */
export function nchwToMatrix(
  t: Float32Array,
  tOff: number,
  O: number,
  Og: number,
  gOff: number,
  m: number,
  HoWo: number,
  mat: Float32Array,
): boolean {
  if (current !== 'wasm-simd' || wasm === null) return false;
  const tLen = m * O * HoWo;
  const matPtr = align16(tLen * 4);
  const n = Og * m * HoWo;
  if (!wasm.reserve(matPtr + n * 4)) return false;
  wasm.f32.set(t.subarray(tOff, tOff + tLen), 0);
  nchwToMatWasm(0, matPtr, Og, m, HoWo, O, gOff);
  mat.set(wasm.f32.subarray(matPtr >> 2, (matPtr >> 2) + n));
  return true;
}
