/**
 * Pure conv2d (NCHW, grouped, strided, padded, dilated) and its two backward kernels, as
 * im2col / col2im around the blocked GEMM. The columns of a whole chunk of images (the whole batch
 * unless that exceeds COL_LIMIT elements) sit side by side, so each group is one GEMM over
 * chunk*Ho*Wo columns instead of one tiny GEMM per image (M = 6 or 16 output channels pack and
 * copy badly). A 1x1, stride-1, unpadded convolution skips im2col: the input plane already is the
 * column matrix of one image.
 */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import { onRelease, release } from './buffers.js';
import { gemm, type MatrixView } from './gemm.js';
import {
  type ColumnGeometry,
  col2imImages,
  directConv1,
  directConv1WeightGrad,
  im2colImages,
  matrixToNchw,
  nchwToMatrix,
  withRowBias,
} from './im2col.js';
import { alloc, takeF32 } from './util.js';

interface ConvGeometry extends ColumnGeometry {
  N: number;
  C: number;
  O: number;
  groups: number;
  Og: number;
}

function convGeometry(xShape: Shape, wShape: Shape, outHW: readonly [number, number], p: Conv2dParams): ConvGeometry {
  const groups = p.groups;
  const C = xShape[1]!;
  const O = wShape[0]!;
  return {
    N: xShape[0]!,
    C,
    H: xShape[2]!,
    W: xShape[3]!,
    O,
    kH: wShape[2]!,
    kW: wShape[3]!,
    Ho: outHW[0],
    Wo: outHW[1],
    sH: p.stride[0],
    sW: p.stride[1],
    pH: p.padding[0],
    pW: p.padding[1],
    dH: p.dilation[0],
    dW: p.dilation[1],
    groups,
    Cg: C / groups,
    Og: O / groups,
  };
}

function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.Ho === g.H && g.Wo === g.W
  );
}

/**
 * A single-channel input at stride 1, undilated, into few output channels (LeNet's first layer):
 * the direct SIMD loops beat im2col, which writes kH*kW floats per input float, plus a GEMM with
 * M = O rows, which packs and runs poorly for M this small.
 */
function isDirect(g: ConvGeometry): boolean {
  return g.C === 1 && g.groups === 1 && g.sH === 1 && g.sW === 1 && g.dH === 1 && g.dW === 1 && g.O <= DIRECT_MAX_O;
}
const DIRECT_MAX_O = 16;

/**
 * Columns plus output one GEMM call may cover (elements: 256 KiB, cache-sized): larger batches run
 * in chunks of images. LeNet's step measured 1.07-1.10x faster than with 2^18 (1 MiB); 2^15 was
 * slower than 2^16 again.
 */
const COL_LIMIT = 2 ** 16;

/**
 * Reused scratch arrays (one per role, grown on demand): the kernels run one at a time. Taken
 * from the storage heap where there is one, so im2col/col2im and the layout shuffles work on
 * them in place.
 */
const scratchArrays: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
function scratch(slot: 0 | 1, n: number): Float32Array {
  if (scratchArrays[slot]!.length < n) {
    release(scratchArrays[slot]!);
    scratchArrays[slot] = takeF32(n);
  }
  return scratchArrays[slot]!;
}

/**
 * Forward columns kept for the weight gradient, keyed by the input array and the geometry. Only
 * the kernel adapters opt in (they pass storage arrays, which never change while alive); an
 * entry is dropped when its input array is released (disposed) and the oldest when the cache
 * would exceed COLUMN_CACHE_LIMIT elements (64 MiB), so memory stays bounded.
 */
interface CachedColumns {
  x: Float32Array;
  key: string;
  col: Float32Array;
}
const COLUMN_CACHE_LIMIT = 2 ** 24;
const columnCache: CachedColumns[] = [];
let cachedElements = 0;

function dropColumns(at: number): void {
  const [e] = columnCache.splice(at, 1);
  if (e === undefined) return;
  cachedElements -= e.col.length;
  release(e.col);
}

onRelease((a) => {
  if (columnCache.length === 0) return;
  for (let i = columnCache.length - 1; i >= 0; i--) if (columnCache[i]!.x === a) dropColumns(i);
});

function geometryKey(g: ConvGeometry): string {
  return `${g.N},${g.C},${g.H},${g.W},${g.O},${g.kH},${g.kW},${g.Ho},${g.Wo},${g.sH},${g.sW},${g.pH},${g.pW},${g.dH},${g.dW},${g.groups}`;
}

function rememberColumns(x: Float32Array, key: string, col: Float32Array): void {
  for (let i = columnCache.length - 1; i >= 0; i--) if (columnCache[i]!.x === x) dropColumns(i);
  while (columnCache.length > 0 && cachedElements + col.length > COLUMN_CACHE_LIMIT) dropColumns(0);
  columnCache.push({ x, key, col });
  cachedElements += col.length;
}

function recallColumns(x: Float32Array, key: string): Float32Array | undefined {
  return columnCache.find((e) => e.x === x && e.key === key)?.col;
}

/** Elements the column cache holds (tests). */
export function cachedColumnElements(): number {
  return cachedElements;
}

/**
 * The image chunks: as few as keep each within COL_LIMIT elements of `perImage` each (at least
 * one image), sizes spread evenly (64 images at most 3 a chunk: 22 chunks of 3 or 2, not 21 of 3
 * and one of 1, whose small GEMM runs below speed). Returns the count and the largest size;
 * chunk c covers images [chunkStart(c), chunkStart(c + 1)).
 */
function chunking(N: number, perImage: number): { chunks: number; most: number } {
  const fit = Math.max(1, Math.min(N, Math.floor(COL_LIMIT / Math.max(1, perImage))));
  const chunks = Math.ceil(N / fit);
  return { chunks, most: chunks === 0 ? 1 : Math.ceil(N / chunks) };
}
const chunkStart = (c: number, chunks: number, N: number): number => Math.floor((c * N) / chunks);

/**
 * Copy the [Og, HoWo] blocks of `m` images (group gi) between the NCHW tensor `t` (O channels)
 * and the side-by-side matrix `mat` [Og, m*HoWo]; `toMatrix` picks the direction.
 */
function shuffleBlocks(
  t: Float32Array,
  mat: Float32Array,
  n0: number,
  m: number,
  O: number,
  Og: number,
  gi: number,
  HoWo: number,
  toMatrix: boolean,
): void {
  const ld = m * HoWo;
  for (let o = 0; o < Og; o++) {
    for (let i = 0; i < m; i++) {
      const at = ((n0 + i) * O + gi * Og + o) * HoWo;
      const mt = o * ld + i * HoWo;
      if (toMatrix) mat.set(t.subarray(at, at + HoWo), mt);
      else t.set(mat.subarray(mt, mt + HoWo), at);
    }
  }
}

/**
 * The [Og, m*HoWo] output matrix `mat` of m images (group gi) into the NCHW output `t`, plus
 * bias[channel] as it goes (each sum rounded to float32 once, after the GEMM's own rounding: the
 * bits of a separate broadcast add).
 */
function writeBlocksWithBias(
  t: Float32Array,
  mat: Float32Array,
  bias: Float32Array,
  n0: number,
  m: number,
  O: number,
  Og: number,
  gi: number,
  HoWo: number,
): void {
  const ld = m * HoWo;
  for (let o = 0; o < Og; o++) {
    const b = bias[gi * Og + o]!;
    for (let i = 0; i < m; i++) {
      const at = ((n0 + i) * O + gi * Og + o) * HoWo;
      const mt = o * ld + i * HoWo;
      for (let p = 0; p < HoWo; p++) t[at + p] = mat[mt + p]! + b;
    }
  }
}

/** out[n, o, :] += bias[o] for the images n0 <= n < n1 (outputs the GEMM wrote in place). */
function addBias(out: Float32Array, bias: Float32Array, n0: number, n1: number, O: number, HoWo: number): void {
  for (let n = n0; n < n1; n++)
    for (let o = 0; o < O; o++) {
      const b = bias[o]!;
      const at = (n * O + o) * HoWo;
      for (let p = at; p < at + HoWo; p++) out[p]! += b;
    }
}

/** x [N,C,H,W], w [O,C/groups,kH,kW] (+ bias [O]) -> [N,O,Ho,Wo]. */
export function conv2d(
  x: Float32Array,
  xShape: Shape,
  w: Float32Array,
  wShape: Shape,
  params: Conv2dParams,
  outShape: Shape,
  keepColumns = false,
  bias: Float32Array | null = null,
): Float32Array {
  const g = convGeometry(xShape, wShape, [outShape[2]!, outShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  const out = takeF32(N * O * HoWo);
  if (out.length === 0) return out;
  if (isPointwise(g)) {
    for (let n = 0; n < N; n++)
      for (let gi = 0; gi < groups; gi++) {
        const xOff = (n * C + gi * Cg) * H * W;
        const wView = { data: w, offset: gi * Og * CgKK, rs: CgKK, cs: 1 };
        gemm(
          Og,
          HoWo,
          CgKK,
          wView,
          { data: x, offset: xOff, rs: HoWo, cs: 1 },
          out,
          (n * O + gi * Og) * HoWo,
          HoWo,
          false,
        );
      }
    if (bias !== null) addBias(out, bias, 0, N, O, HoWo);
    return out;
  }
  if (isDirect(g) && directConv1(x, g, w, bias, out)) return out;
  const { chunks, most: nb } = chunking(N, (CgKK + Og) * HoWo);
  // kept columns: every chunk's block in one array, block (n0, gi) at (gi*N + n0)*CgKK*HoWo
  const total = groups * CgKK * N * HoWo;
  const full = keepColumns && total <= COLUMN_CACHE_LIMIT ? takeF32(total) : null;
  const col = full ?? scratch(0, CgKK * nb * HoWo);
  const y = scratch(1, Og * nb * HoWo);
  for (let c = 0; c < chunks; c++) {
    const n0 = chunkStart(c, chunks, N);
    const m = chunkStart(c + 1, chunks, N) - n0;
    const ld = m * HoWo;
    for (let gi = 0; gi < groups; gi++) {
      const at = full === null ? 0 : (gi * N + n0) * CgKK * HoWo;
      im2colImages(x, (n0 * C + gi * Cg) * H * W, C * H * W, m, g, col, at);
      const wView = { data: w, offset: gi * Og * CgKK, rs: CgKK, cs: 1 };
      const colView = { data: col, offset: at, rs: ld, cs: 1 };
      if (m === 1 && groups === 1) {
        // one image: the GEMM writes the output block directly
        gemm(Og, ld, CgKK, wView, colView, out, n0 * O * HoWo, HoWo, false);
        if (bias !== null) addBias(out, bias, n0, n0 + 1, O, HoWo);
        continue;
      }
      gemm(Og, ld, CgKK, wView, colView, y, 0, ld, false);
      if (groups === 1 && matrixToNchw(y, O, m, HoWo, bias, out, n0 * O * HoWo)) continue;
      const biased = bias === null ? null : withRowBias(y, Og, ld, bias, gi * Og);
      if (biased !== null) shuffleBlocks(out, biased, n0, m, O, Og, gi, HoWo, false);
      else if (bias !== null) writeBlocksWithBias(out, y, bias, n0, m, O, Og, gi, HoWo);
      else shuffleBlocks(out, y, n0, m, O, Og, gi, HoWo, false);
    }
  }
  if (full !== null) rememberColumns(x, geometryKey(g), full);
  return out;
}

/** dy [N,O,Ho,Wo], w -> dx [N,C,H,W] = xShape. */
export function conv2dBackwardInput(
  dy: Float32Array,
  dyShape: Shape,
  w: Float32Array,
  wShape: Shape,
  xShape: Shape,
  params: Conv2dParams,
): Float32Array {
  const g = convGeometry(xShape, wShape, [dyShape[2]!, dyShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  if (isPointwise(g)) {
    const dx = takeF32(N * C * H * W);
    for (let n = 0; n < N; n++)
      for (let gi = 0; gi < groups; gi++) {
        const a = { data: w, offset: gi * Og * CgKK, rs: 1, cs: CgKK };
        const b = { data: dy, offset: (n * O + gi * Og) * HoWo, rs: HoWo, cs: 1 };
        gemm(CgKK, HoWo, Og, a, b, dx, (n * C + gi * Cg) * H * W, HoWo, false);
      }
    return dx;
  }
  const dx = alloc('float32', N * C * H * W) as Float32Array;
  if (dx.length === 0 || HoWo === 0) return dx;
  const { chunks, most: nb } = chunking(N, (CgKK + Og) * HoWo);
  const col = scratch(0, CgKK * nb * HoWo);
  const dyMat = scratch(1, Og * nb * HoWo);
  for (let c = 0; c < chunks; c++) {
    const n0 = chunkStart(c, chunks, N);
    const m = chunkStart(c + 1, chunks, N) - n0;
    const ld = m * HoWo;
    for (let gi = 0; gi < groups; gi++) {
      const a = { data: w, offset: gi * Og * CgKK, rs: 1, cs: CgKK };
      if (!nchwToMatrix(dy, n0 * O * HoWo, O, Og, gi * Og, m, HoWo, dyMat))
        shuffleBlocks(dy, dyMat, n0, m, O, Og, gi, HoWo, true);
      gemm(CgKK, ld, Og, a, { data: dyMat, offset: 0, rs: ld, cs: 1 }, col, 0, ld, false);
      col2imImages(col, 0, m, g, dx, (n0 * C + gi * Cg) * H * W, C * H * W);
    }
  }
  return dx;
}

/** x [N,C,H,W], dy [N,O,Ho,Wo] -> dw [O,C/groups,kH,kW] = wShape. */
export function conv2dBackwardWeight(
  x: Float32Array,
  xShape: Shape,
  dy: Float32Array,
  dyShape: Shape,
  wShape: Shape,
  params: Conv2dParams,
  useKeptColumns = false,
): Float32Array {
  const g = convGeometry(xShape, wShape, [dyShape[2]!, dyShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  const dw = takeF32(O * CgKK);
  if (dw.length === 0 || HoWo === 0) return dw.fill(0);
  if (isDirect(g) && !isPointwise(g) && directConv1WeightGrad(x, g, dy, dw)) return dw;
  const pointwise = isPointwise(g);
  // Per chunk and group one GEMM sums over the chunk's images and positions (the GEMMs keep
  // float64 partial sums); chunks add up in float64 (`acc`), so a large batch adds no float32
  // rounding per chunk.
  // the forward's chunks: kept columns are laid out chunk by chunk (rows of m*HoWo)
  const { chunks, most: nb } = pointwise ? { chunks: N, most: 1 } : chunking(N, (CgKK + Og) * HoWo);
  const kept = pointwise || !useKeptColumns ? undefined : recallColumns(x, geometryKey(g));
  const col = pointwise || kept !== undefined ? null : scratch(0, CgKK * nb * HoWo);
  const dyMat = scratch(1, Og * nb * HoWo);
  const acc = new Float64Array(O * CgKK);
  const part = takeF32(Og * CgKK);
  for (let c = 0; c < chunks; c++) {
    const n0 = chunkStart(c, chunks, N);
    const m = chunkStart(c + 1, chunks, N) - n0;
    const ld = m * HoWo;
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n0 * C + gi * Cg) * H * W;
      let b: MatrixView;
      if (kept !== undefined) b = { data: kept, offset: (gi * N + n0) * CgKK * HoWo, rs: 1, cs: ld };
      else if (col !== null) {
        im2colImages(x, xOff, C * H * W, m, g, col, 0);
        b = { data: col, offset: 0, rs: 1, cs: ld };
      } else b = { data: x, offset: xOff, rs: 1, cs: HoWo };
      if (!nchwToMatrix(dy, n0 * O * HoWo, O, Og, gi * Og, m, HoWo, dyMat))
        shuffleBlocks(dy, dyMat, n0, m, O, Og, gi, HoWo, true);
      gemm(Og, CgKK, ld, { data: dyMat, offset: 0, rs: ld, cs: 1 }, b, part, 0, CgKK, false);
      const base = gi * Og * CgKK;
      for (let i = 0; i < part.length; i++) acc[base + i]! += part[i]!;
    }
  }
  release(part);
  dw.set(acc);
  return dw;
}
