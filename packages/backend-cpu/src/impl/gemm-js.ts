/**
 * Single-threaded float32 GEMM in plain JavaScript: C (+)= A @ B. The fallback (and the test
 * reference) for the WebAssembly SIMD GEMM in gemm-wasm.ts; gemm.ts picks between them.
 *
 * Goto/BLIS-style blocking: K is split into KC-deep slices; for each slice a KC x N panel of B and
 * an MC x KC block of A are packed (as float64, so the hot loop does no float32 -> float64
 * conversions) into micro-panels of 4 columns / 4 rows laid out k-major; a 4x4 micro-kernel then
 * keeps its 16 accumulators in registers and streams both micro-panels contiguously. Packing reads
 * A and B through arbitrary (row, column) strides, so transposed operands cost nothing extra and
 * are never materialised. C is accumulated in a float64 copy across the K slices and rounded to
 * float32 once at the end, so a long K (1e6) stays at float64 accuracy instead of adding float32
 * rounding per slice. Scratch buffers are module-level and grow on demand: no per-call
 * allocation in steady state.
 */

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * 512);
/** The M x N block of C in float64 (row stride N) while the slices accumulate into it. */
let acc = new Float64Array(MC * 512);

/** A matrix view: element (i, j) is data[offset + i*rs + j*cs]. */
export interface MatrixView {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
}

/**
 * C[cOff + i*ldc + j] (+)= sum_k A(i,k) * B(k,j) for i < M, j < N. With `accumulate` false the
 * destination block is overwritten.
 */
export function gemmJs(
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  if (acc.length < M * N) acc = new Float64Array(M * N);
  if (!accumulate) acc.fill(0, 0, M * N);
  else for (let i = 0; i < M; i++) acc.set(c.subarray(cOff + i * ldc, cOff + i * ldc + N), i * N);
  const nPanels = Math.ceil(N / NR);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    const needB = nPanels * NR * kc;
    if (packB.length < needB) packB = new Float64Array(needB);
    packPanelB(b, k0, kc, N, packB);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = Math.min(MC, M - i0);
      const mPanels = Math.ceil(mc / MR);
      const needA = mPanels * MR * kc;
      if (packA.length < needA) packA = new Float64Array(needA);
      packBlockA(a, i0, mc, k0, kc, packA);
      for (let jp = 0; jp < nPanels; jp++) {
        const nr = Math.min(NR, N - jp * NR);
        for (let ip = 0; ip < mPanels; ip++) {
          const mr = Math.min(MR, mc - ip * MR);
          kernel4x4(kc, packA, ip * MR * kc, packB, jp * NR * kc, acc, (i0 + ip * MR) * N + jp * NR, N, mr, nr);
        }
      }
    }
  }
  for (let i = 0; i < M; i++) c.set(acc.subarray(i * N, i * N + N), cOff + i * ldc);
}

/** Pack B(k0:k0+kc, 0:N) into ceil(N/4) micro-panels, each [kc][4], zero-padded on the right. */
function packPanelB(b: MatrixView, k0: number, kc: number, N: number, dst: Float64Array): void {
  const { data, rs, cs } = b;
  const base = b.offset + k0 * rs;
  let p = 0;
  for (let j0 = 0; j0 < N; j0 += NR) {
    const nr = Math.min(NR, N - j0);
    if (nr === NR) {
      const c0 = base + j0 * cs;
      const c1 = c0 + cs;
      const c2 = c1 + cs;
      const c3 = c2 + cs;
      for (let k = 0, ko = 0; k < kc; k++, ko += rs) {
        dst[p] = data[c0 + ko]!;
        dst[p + 1] = data[c1 + ko]!;
        dst[p + 2] = data[c2 + ko]!;
        dst[p + 3] = data[c3 + ko]!;
        p += 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const ro = base + k * rs;
        for (let jj = 0; jj < NR; jj++) dst[p++] = jj < nr ? data[ro + (j0 + jj) * cs]! : 0;
      }
    }
  }
}

/** Pack A(i0:i0+mc, k0:k0+kc) into ceil(mc/4) micro-panels, each [kc][4], zero-padded at the bottom. */
function packBlockA(a: MatrixView, i0: number, mc: number, k0: number, kc: number, dst: Float64Array): void {
  const { data, rs, cs } = a;
  let p = 0;
  for (let ii = 0; ii < mc; ii += MR) {
    const mr = Math.min(MR, mc - ii);
    const r0 = a.offset + (i0 + ii) * rs + k0 * cs;
    if (mr === MR) {
      const r1 = r0 + rs;
      const r2 = r1 + rs;
      const r3 = r2 + rs;
      for (let k = 0, ko = 0; k < kc; k++, ko += cs) {
        dst[p] = data[r0 + ko]!;
        dst[p + 1] = data[r1 + ko]!;
        dst[p + 2] = data[r2 + ko]!;
        dst[p + 3] = data[r3 + ko]!;
        p += 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const ko = r0 + k * cs;
        for (let r = 0; r < MR; r++) dst[p++] = r < mr ? data[ko + r * rs]! : 0;
      }
    }
  }
}

/** C(0:mr, 0:nr) += Apanel^T Bpanel over kc; 16 accumulators stay in registers. */
function kernel4x4(
  kc: number,
  A: Float64Array,
  pa: number,
  B: Float64Array,
  pb: number,
  C: Float64Array,
  co: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let k = 0; k < kc; k++) {
    const a0 = A[pa]!,
      a1 = A[pa + 1]!,
      a2 = A[pa + 2]!,
      a3 = A[pa + 3]!;
    let b = B[pb]!;
    c00 += a0 * b;
    c10 += a1 * b;
    c20 += a2 * b;
    c30 += a3 * b;
    b = B[pb + 1]!;
    c01 += a0 * b;
    c11 += a1 * b;
    c21 += a2 * b;
    c31 += a3 * b;
    b = B[pb + 2]!;
    c02 += a0 * b;
    c12 += a1 * b;
    c22 += a2 * b;
    c32 += a3 * b;
    b = B[pb + 3]!;
    c03 += a0 * b;
    c13 += a1 * b;
    c23 += a2 * b;
    c33 += a3 * b;
    pa += 4;
    pb += 4;
  }
  if (mr === 4 && nr === 4) {
    let o = co;
    C[o]! += c00;
    C[o + 1]! += c01;
    C[o + 2]! += c02;
    C[o + 3]! += c03;
    o += ldc;
    C[o]! += c10;
    C[o + 1]! += c11;
    C[o + 2]! += c12;
    C[o + 3]! += c13;
    o += ldc;
    C[o]! += c20;
    C[o + 1]! += c21;
    C[o + 2]! += c22;
    C[o + 3]! += c23;
    o += ldc;
    C[o]! += c30;
    C[o + 1]! += c31;
    C[o + 2]! += c32;
    C[o + 3]! += c33;
    return;
  }
  const rows = [
    [c00, c01, c02, c03],
    [c10, c11, c12, c13],
    [c20, c21, c22, c23],
    [c30, c31, c32, c33],
  ];
  for (let i = 0; i < mr; i++) {
    const row = rows[i]!;
    for (let j = 0; j < nr; j++) C[co + i * ldc + j]! += row[j]!;
  }
}
