/**
 * im2col and col2im for conv2d: the column matrix of m images side by side, row
 * r = (c*kH + ki)*kW + kj of length m*Ho*Wo, image i's block at i*Ho*Wo.
 *
 * Runs in WebAssembly SIMD (src/wasm/conv.wat) where the engine validates it, with f32x4 row
 * copies. Operands in the storage heap (src/impl/heap.ts, the module's memory) are passed by
 * address; others are copied into the module's scratch and results out, each copy one memcpy.
 * The JavaScript loops are the fallback and the tests' reference; `setColumnsImpl` switches
 * between them.
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
 * Make `bytes` of scratch available at inst.base (none needed: true); false where that cannot
 * be had (over 2 GiB, the heap full) or the geometry does not fit the module's 16-bit packed
 * column ranges.
 */
function reserve(inst: SimdModule, bytes: number, g: ColumnGeometry): boolean {
  return g.Wo < 2 ** 15 && g.W < 2 ** 30 && (bytes === 0 || inst.reserve(bytes));
}

/**
 * Whether a[off, off + len) can be used in place: `a` lies in the module's memory with `before`
 * bytes readable ahead of the span and `after` past it (the loops' stray vector reads).
 */
function inPlace(inst: SimdModule, a: Float32Array, off: number, len: number, before: number, after: number): boolean {
  if (!inst.holds(a)) return false;
  const at = a.byteOffset + off * 4;
  return at >= before && at + len * 4 + after <= inst.f32.byteLength;
}

/** Run `call`, keeping the 16 bytes at byte address `end` as they were (a loop's overrun past its output). */
function keeping16(inst: SimdModule, end: number, call: () => void): void {
  const f = inst.f32;
  const k = end >> 2;
  const [a, b, c, d] = [f[k]!, f[k + 1]!, f[k + 2]!, f[k + 3]!];
  call();
  f[k] = a;
  f[k + 1] = b;
  f[k + 2] = c;
  f[k + 3] = d;
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
  if (current === 'wasm-simd' && wasm !== null) {
    // 16 bytes of slack after each: the f32x4 copies read up to 3 floats past an input row and
    // write up to 3 past the last column row
    const dx = inPlace(wasm, x, xOff, xLen, 0, 16);
    const dc = inPlace(wasm, col, colOff, colLen, 0, 16);
    const xBytes = dx ? 0 : align16(xLen * 4 + 16);
    if (reserve(wasm, xBytes + (dc ? 0 : colLen * 4 + 16), g)) {
      const X = dx ? x.byteOffset + xOff * 4 : wasm.base;
      const C = dc ? col.byteOffset + colOff * 4 : wasm.base + xBytes;
      if (!dx) wasm.f32.set(x.subarray(xOff, xOff + xLen), X >> 2);
      const run = (): void => im2colWasm(X, xStride * 4, m, ...geometryArgs(g), C);
      if (dc) keeping16(wasm, C + colLen * 4, run);
      else {
        run();
        col.set(wasm.f32.subarray(C >> 2, (C >> 2) + colLen), colOff);
      }
      return;
    }
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
  const nq = (g.W + 3) >> 2;
  const masksBytes = unit ? nq * (g.kW + 1) * 16 : 0;
  const dd = current === 'wasm-simd' && wasm !== null && inPlace(wasm, dx, dxOff, xLen, 0, 16);
  const dc = current === 'wasm-simd' && wasm !== null && inPlace(wasm, col, colOff, colLen, slack, slack);
  // scratch: dx, col (slack on every side), the masks; each only where it is not used in place
  const xBytes = dd ? 0 : align16(xLen * 4 + slack);
  const colBytes = dc ? 0 : align16(slack + colLen * 4 + slack);
  if (current === 'wasm-simd' && wasm !== null && reserve(wasm, xBytes + colBytes + masksBytes, g)) {
    const base = wasm.base;
    const X = dd ? dx.byteOffset + dxOff * 4 : base;
    const colPtr = dc ? col.byteOffset + colOff * 4 : base + xBytes + slack;
    const masksPtr = base + xBytes + colBytes;
    if (!dd) wasm.f32.set(dx.subarray(dxOff, dxOff + xLen), X >> 2);
    if (!dc) wasm.f32.set(col.subarray(colOff, colOff + colLen), colPtr >> 2);
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
        X,
        xStride * 4,
        masksPtr,
      );
    } else col2imWasm(colPtr, m, ...geometryArgs(g), X, xStride * 4);
    if (!dd) dx.set(wasm.f32.subarray(X >> 2, (X >> 2) + xLen), dxOff);
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
  const biasAt = align16(n * 4);
  if (!wasm.reserve(biasAt + rows * 4)) return null;
  const base = wasm.base;
  wasm.f32.set(mat.subarray(0, n), base >> 2);
  wasm.f32.set(bias.subarray(biasOff, biasOff + rows), (base + biasAt) >> 2);
  addRowBiasWasm(base, rows, len, base + biasAt);
  return wasm.f32.subarray(base >> 2, (base >> 2) + n);
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

/** The padded input's byte address from the last loadPadded. */
let paddedAt = 0;

/**
 * Pads x into the module's scratch (read in place from the heap, else copied in first), at
 * `paddedAt`; returns the byte address just past the padded input (16-aligned), where
 * `extraBytes` more scratch follow, or -1 where the module is missing or the scratch cannot be
 * had (over 2 GiB, the heap full).
 */
function loadPadded(x: Float32Array, g: DirectGeometry, extraBytes: number): number {
  if (current !== 'wasm-simd' || wasm === null) return -1;
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  const xLen = g.N * g.H * g.W;
  const direct = wasm.holds(x);
  const xBytes = direct ? 0 : align16(xLen * 4);
  const paddedEnd = align16(xBytes + g.N * Hp * Wp * 4 + 32);
  if (!wasm.reserve(paddedEnd + extraBytes)) return -1;
  const base = wasm.base;
  const X = direct ? x.byteOffset : base;
  if (!direct) wasm.f32.set(x.subarray(0, xLen), X >> 2);
  paddedAt = base + xBytes;
  padWasm(X, g.N, g.H, g.W, g.pH, g.pW, paddedAt, Hp, Wp);
  return base + paddedEnd;
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
  // the loop stores exactly the output: a heap array is written in place
  const directOut = wasm?.holds(out) === true;
  const end = loadPadded(x, g, wvBytes + align16(g.O * 4) + (directOut ? 0 : outLen * 4));
  if (end < 0 || wasm === null) return false;
  const wv = end;
  const biasPtr = wv + wvBytes;
  const outPtr = directOut ? out.byteOffset : align16(biasPtr + g.O * 4);
  const heap = wasm.f32;
  for (let t = 0; t < taps; t++) heap.fill(w[t]!, (wv >> 2) + 4 * t, (wv >> 2) + 4 * t + 4);
  if (bias !== null) heap.set(bias.subarray(0, g.O), biasPtr >> 2);
  else heap.fill(0, biasPtr >> 2, (biasPtr >> 2) + g.O);
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  conv1DirectWasm(paddedAt, g.N, Hp, Wp, wv, g.O, g.kH, g.kW, g.Ho, g.Wo, biasPtr, bias === null ? 0 : 1, outPtr);
  if (!directOut) out.set(heap.subarray(outPtr >> 2, (outPtr >> 2) + outLen));
  return true;
}

/**
 * The weight gradient of directConv1, float64 sums (float32 chunks of at most 32 terms) rounded once into dw
 * [O, 1, kH, kW]. False (nothing written) where the SIMD module is unavailable.
 */
export function directConv1WeightGrad(x: Float32Array, g: DirectGeometry, dy: Float32Array, dw: Float32Array): boolean {
  const taps = g.O * g.kH * g.kW;
  const dyLen = g.N * g.O * g.Ho * g.Wo;
  // dy (read in place from the heap) with 16 bytes of slack (a row's masked tail step reads past
  // it), dw (float64), the totals (160 bytes)
  const directDy = wasm?.holds(dy) === true && dy.byteOffset + dyLen * 4 + 16 <= wasm.f32.byteLength;
  const dyBytes = directDy ? 0 : align16(dyLen * 4 + 16);
  const end = loadPadded(x, g, dyBytes + align16(taps * 8) + 160);
  if (end < 0 || wasm === null) return false;
  const dyPtr = directDy ? dy.byteOffset : end;
  const dwPtr = end + dyBytes;
  const totPtr = align16(dwPtr + taps * 8);
  if (!directDy) wasm.f32.set(dy.subarray(0, dyLen), dyPtr >> 2);
  const Hp = g.H + 2 * g.pH;
  const Wp = g.W + 2 * g.pW;
  conv1WeightGradWasm(paddedAt, g.N, Hp, Wp, dyPtr, g.O, g.kH, g.kW, g.Ho, g.Wo, dwPtr, totPtr);
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
  // exact loads and stores: heap arrays are used in place
  const [dm, db, dt] = [wasm.holds(mat), bias === null || wasm.holds(bias), wasm.holds(out)];
  const matBytes = dm ? 0 : align16(n * 4);
  const biasBytes = db ? 0 : align16(O * 4);
  const need = matBytes + biasBytes + (dt ? 0 : n * 4);
  if (need > 0 && !wasm.reserve(need)) return false;
  const base = wasm.base;
  const M = dm ? mat.byteOffset : base;
  const B = bias !== null && db ? bias.byteOffset : base + matBytes;
  const T = dt ? out.byteOffset + outOff * 4 : base + matBytes + biasBytes;
  if (!dm) wasm.f32.set(mat.subarray(0, n), M >> 2);
  if (bias !== null && !db) wasm.f32.set(bias.subarray(0, O), B >> 2);
  matToNchwWasm(M, T, O, m, HoWo, O, 0, B, bias === null ? 0 : 1);
  if (!dt) out.set(wasm.f32.subarray(T >> 2, (T >> 2) + n), outOff);
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
  const n = Og * m * HoWo;
  // exact copies: heap arrays are used in place
  const [dt, dm] = [wasm.holds(t), wasm.holds(mat)];
  const tBytes = dt ? 0 : align16(tLen * 4);
  const need = tBytes + (dm ? 0 : n * 4);
  if (need > 0 && !wasm.reserve(need)) return false;
  const T = dt ? t.byteOffset + tOff * 4 : wasm.base;
  const M = dm ? mat.byteOffset : wasm.base + tBytes;
  if (!dt) wasm.f32.set(t.subarray(tOff, tOff + tLen), T >> 2);
  nchwToMatWasm(T, M, Og, m, HoWo, O, gOff);
  if (!dm) mat.set(wasm.f32.subarray(M >> 2, (M >> 2) + n));
  return true;
}
