/**
 * The tiled GEMM every linear-algebra kernel runs on: C[z, m, n] = Σ_k A(z, m, k) · B(z, k, n).
 *
 * A workgroup of TX×TY invocations computes a BM×BN tile of C (BM = RM·TY, BN = RN·TX): each
 * invocation keeps an RM×RN block of accumulators in registers (4×4 for large matrices, smaller
 * blocks where M or N is small, so little of a tile is wasted), and every K step of TK stages an A
 * and a B tile in workgroup memory. How A and B are read is the caller's: plain (transposed)
 * matrices for matmul, the implicit im2col of a convolution, so no column matrix is materialised.
 *
 * Long K is split (split-K): slices run as separate workgroups writing partial C's that the tree
 * reduction sums. That keeps the sequential float32 accumulation short (a K = 1e6 dot product stays
 * within 1e-6 relative) and the invocation's loop count far below llvmpipe's 65535 limit. Products
 * with only a few outputs (M·N <= DOT_MAX) and a long K are dot products: a workgroup per output and K slice,
 * each invocation summing strided products, then a tree in workgroup memory.
 */
import { broadcastStrides, sizeOf, type Shape } from '@flint/core/backend';
import type { Ref } from './context.js';
import type { GpuDevice } from './device.js';
import { checkRank } from './elementwise.js';
import { reduce } from './reduce.js';
import type { WebGpuStorage } from './storage.js';
import { bindings, coalesce, elementwiseMain, Params, walkOffsets, type Binding } from './wgsl.js';

const TK = 16;
/** Outputs per batch at most that run as dot products, when K is at least DOT_MIN_K. */
const DOT_MAX = 16;
const DOT_MIN_K = 512;
/** K per dot-product workgroup: SEQ products per invocation. */
const DOT_SEQ = 16;
/** K beyond which the product is split. */
const SPLIT_ABOVE = 4096;
/** Shortest K slice when split. */
const MIN_SLICE = 128;
/** Largest partial-sum buffer (elements) split-K may allocate. */
const MAX_PARTIAL = 1 << 22;
/** Longest K slice (loop iterations per invocation stay at half of llvmpipe's 65535 limit): tiled, direct. */
const MAX_SLICE = { tiled: 1 << 19, direct: 1 << 15 } as const;
/** First parameter word the loaders may use. */
export const LOADER_PARAMS = 8;

/** How a caller's GEMM reads its operands. */
export interface GemmSpec {
  /** Pipeline cache key of the loaders (kernel + variant, no sizes). */
  readonly key: string;
  readonly a: WebGpuStorage;
  readonly b: WebGpuStorage;
  readonly z: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /**
   * WGSL defining `fn setup(z: u32)` (per-batch state in var<private>s), `fn loadA(m: u32, k: u32) -> f32`
   * and `fn loadB(k: u32, n: u32) -> f32`, called only in range. Globals: a, b (array<f32>), pu().
   */
  readonly loaders: string;
  /** Parameter words for the loaders, from word LOADER_PARAMS on. */
  readonly params: readonly number[];
  /** Whether consecutive k of A (and of B) are adjacent in memory: tile loads then walk k fastest. */
  readonly aKFastest: boolean;
  readonly bKFastest: boolean;
  /** Added to every row of C (C[z, m, n] += bias[n]): linear's bias. */
  readonly bias?: WebGpuStorage;
}

interface Tiling {
  readonly tx: number;
  readonly ty: number;
  /** Register block: rows and columns of C per invocation. */
  readonly rm: number;
  readonly rn: number;
  readonly bm: number;
  readonly bn: number;
}

/** Register blocks of 4 where the dim fills 4 invocations' worth, else 2 or 1. */
function blockFor(size: number, threads: number): number {
  if (size >= 4 * threads) return 4;
  if (size >= 2 * threads) return 2;
  return 1;
}

function tiling(dev: GpuDevice, m: number, n: number): Tiling {
  const wg = dev.workgroupSize;
  // Workgroup-memory tiles use 16 x 16 invocations (the tile loads need every one).
  if (dev.gemmKind === 'direct' && m <= 8) {
    // Short M (conv layers' channel counts): one invocation row computes every row, so the B
    // elements (an im2col gather for convolutions) are loaded once, not once per row.
    // A narrow N gets a smaller workgroup rather than idle invocations.
    let rm = 1;
    while (rm < m) rm *= 2;
    let tx = 8;
    while (tx < wg && tx < n) tx *= 2;
    const rn = blockFor(n, tx);
    return { tx, ty: 1, rm, rn, bm: rm, bn: rn * tx };
  }
  const tx = 16;
  const ty = wg / tx;
  const rm = blockFor(m, ty);
  const rn = blockFor(n, tx);
  return { tx, ty, rm, rn, bm: rm * ty, bn: rn * tx };
}

/** The rm x rn accumulators of one invocation's register block. */
function accumulators(t: Tiling): string {
  const lines: string[] = [];
  for (let i = 0; i < t.rm; i++) for (let j = 0; j < t.rn; j++) lines.push(`  var c${i}${j} = 0.0;`);
  return lines.join('\n');
}

/** Each accumulator to its output element (plus the bias), bounds-checked. */
function stores(t: Tiling, withBias: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < t.rm; i++) {
    for (let j = 0; j < t.rn; j++) {
      lines.push(
        `  { let m = m0 + ty * ${t.rm}u + ${i}u; let n = n0 + tx * ${t.rn}u + ${j}u;`,
        `    if (m < M && n < N) { c[outBase + m * N + n] = c${i}${j}${withBias ? ' + bias[n]' : ''}; } }`,
      );
    }
  }
  return lines.join('\n');
}

/** Bindings a, b (, bias) -> c, and the start of main: sizes, split-K slice, tile origin and thread. */
function header(t: Tiling, spec: GemmSpec, withBias: boolean, workgroupMemory: string): string {
  const inputs: Binding[] = [
    ['a', 'f32'],
    ['b', 'f32'],
  ];
  if (withBias) inputs.push(['bias', 'f32']);
  return `${bindings(inputs, [['c', 'f32']])}
${workgroupMemory}${spec.loaders}
@compute @workgroup_size(${t.tx * t.ty})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u); let KC = pu(3u); let S = pu(4u); let Z = pu(5u);
  let zs = wid.z + pu(6u);
  let z = zs / S; let split = zs % S;
  setup(z);
  let m0 = wid.y * ${t.bm}u; let n0 = wid.x * ${t.bn}u;
  let tx = lid % ${t.tx}u; let ty = lid / ${t.tx}u;
  let k0 = split * KC; let kEnd = min(K, k0 + KC);`;
}

/** The tile loop: load the A and B tiles, then the unrolled TK rank-1 updates of the register block. */
function source(t: Tiling, spec: GemmSpec, withBias: boolean): string {
  const wg = t.tx * t.ty;
  const aLoads = (t.bm * TK) / wg;
  const bLoads = (t.bn * TK) / wg;
  const loadA: string[] = [];
  for (let l = 0; l < aLoads; l++) {
    const e = `lid + ${l * wg}u`;
    const [ml, kl] = spec.aKFastest
      ? [`(${e}) / ${TK}u`, `(${e}) % ${TK}u`]
      : [`(${e}) % ${t.bm}u`, `(${e}) / ${t.bm}u`];
    loadA.push(
      `    { let ml = ${ml}; let kl = ${kl}; let m = m0 + ml; let k = kt + kl;`,
      `      As[kl * ${t.bm}u + ml] = select(0.0, loadA(min(m, M - 1u), min(k, kEnd - 1u)), m < M && k < kEnd); }`,
    );
  }
  const loadB: string[] = [];
  for (let l = 0; l < bLoads; l++) {
    const e = `lid + ${l * wg}u`;
    const [kl, nl] = spec.bKFastest
      ? [`(${e}) % ${TK}u`, `(${e}) / ${TK}u`]
      : [`(${e}) / ${t.bn}u`, `(${e}) % ${t.bn}u`];
    loadB.push(
      `    { let kl = ${kl}; let nl = ${nl}; let n = n0 + nl; let k = kt + kl;`,
      `      Bs[kl * ${t.bn}u + nl] = select(0.0, loadB(min(k, kEnd - 1u), min(n, N - 1u)), n < N && k < kEnd); }`,
    );
  }
  const steps: string[] = [];
  for (let kk = 0; kk < TK; kk++) {
    for (let i = 0; i < t.rm; i++) steps.push(`    let a${i}_${kk} = As[${kk * t.bm}u + ty * ${t.rm}u + ${i}u];`);
    for (let j = 0; j < t.rn; j++) steps.push(`    let b${j}_${kk} = Bs[${kk * t.bn}u + tx * ${t.rn}u + ${j}u];`);
    for (let i = 0; i < t.rm; i++)
      for (let j = 0; j < t.rn; j++) steps.push(`    c${i}${j} = fma(a${i}_${kk}, b${j}_${kk}, c${i}${j});`);
  }
  const shared = `var<workgroup> As: array<f32, ${t.bm * TK}>;
var<workgroup> Bs: array<f32, ${t.bn * TK}>;
`;
  return `${header(t, spec, withBias, shared)}
  // Split-K partials are [S, Z, M, N]; unsplit, the output is [Z, M, N].
  let outBase = (split * Z + z) * M * N;
${accumulators(t)}
  for (var kt = k0; kt < kEnd; kt += ${TK}u) {
${loadA.join('\n')}
${loadB.join('\n')}
    workgroupBarrier();
${steps.join('\n')}
    workgroupBarrier();
  }
${stores(t, withBias)}
}
`;
}

/**
 * The same register blocks without workgroup memory: every invocation reads its A column and B row
 * elements itself. CPU adapters (llvmpipe, SwiftShader) run a workgroup's invocations as
 * coroutines that switch at every barrier, which costs more than the loads a shared tile saves.
 */
function directSource(t: Tiling, spec: GemmSpec, withBias: boolean): string {
  const rows: string[] = [];
  for (let i = 0; i < t.rm; i++) rows.push(`  let row${i} = min(m0 + ty * ${t.rm}u + ${i}u, M - 1u);`);
  for (let j = 0; j < t.rn; j++) rows.push(`  let col${j} = min(n0 + tx * ${t.rn}u + ${j}u, N - 1u);`);
  const step: string[] = [];
  for (let i = 0; i < t.rm; i++) step.push(`    let a${i} = loadA(row${i}, k);`);
  for (let j = 0; j < t.rn; j++) step.push(`    let b${j} = loadB(k, col${j});`);
  for (let i = 0; i < t.rm; i++)
    for (let j = 0; j < t.rn; j++) step.push(`    c${i}${j} = fma(a${i}, b${j}, c${i}${j});`);
  return `${header(t, spec, withBias, '')}
  let outBase = (split * Z + z) * M * N;
${accumulators(t)}
${rows.join('\n')}
  for (var k = k0; k < kEnd; k++) {
${step.join('\n')}
  }
${stores(t, withBias)}
}
`;
}

/** Run the GEMM: a new float32 storage [z, m, n] (plus the bias, when given). */
export function gemm(dev: GpuDevice, spec: GemmSpec): WebGpuStorage {
  const { z, m, n, k } = spec;
  const total = z * m * n;
  if (total === 0 || k === 0) {
    const out = dev.alloc(total, 'float32');
    if (total > 0) dev.clear(out);
    return total === 0 ? out : withBias(dev, out, spec.bias, n);
  }
  if (m * n <= DOT_MAX && k >= DOT_MIN_K) return withBias(dev, dot(dev, spec), spec.bias, n);
  let slice = k;
  if (k > SPLIT_ABOVE) {
    const maxSplits = Math.max(1, Math.floor(MAX_PARTIAL / total));
    slice = Math.max(MIN_SLICE, Math.ceil(k / maxSplits));
    slice = Math.ceil(slice / TK) * TK;
  }
  slice = Math.min(slice, MAX_SLICE[dev.gemmKind]);
  const splits = Math.ceil(k / slice);
  // The bias is added in the GEMM's store when C is written once; split partials get it afterwards.
  const fuseBias = spec.bias !== undefined && splits === 1;
  const t = tiling(dev, m, n);
  const order = `${spec.aKFastest ? 'k' : 'm'}${spec.bKFastest ? 'k' : 'n'}/${t.ty}x${t.tx}/${t.rm}x${t.rn}`;
  const tiled = dev.gemmKind === 'tiled';
  const key = `gemm-${dev.gemmKind}/${spec.key}/${order}${fuseBias ? '/bias' : ''}`;
  const pipe = dev.pipeline(key, fuseBias ? 3 : 2, 1, () =>
    tiled ? source(t, spec, fuseBias) : directSource(t, spec, fuseBias),
  );
  const out = dev.alloc(total * splits, 'float32');
  const gx = Math.ceil(n / t.bn);
  const gy = Math.ceil(m / t.bm);
  const maxZ = dev.maxWorkgroupsPerDimension;
  if (gx > maxZ || gy > maxZ) {
    throw new Error(`@flint/backend-webgpu: a ${m}x${n} matrix product exceeds the adapter's dispatch limits.`);
  }
  const inputs = fuseBias ? [spec.a, spec.b, spec.bias!] : [spec.a, spec.b];
  const zs = z * splits;
  for (let base = 0; base < zs; base += maxZ) {
    const params = new Params().u(m).u(n).u(k).u(slice).u(splits).u(z).u(base).u(0);
    params.us(spec.params);
    dev.dispatch(pipe, inputs, [out], params.build(), [gx, gy, Math.min(maxZ, zs - base)]);
  }
  if (splits === 1) return out;
  const summed = reduce(dev, 'sum', { storage: out, shape: [splits, total], dtype: 'float32' }, [0]);
  dev.free(out);
  return withBias(dev, summed, spec.bias, n);
}

function withBias(dev: GpuDevice, c: WebGpuStorage, bias: WebGpuStorage | undefined, n: number): WebGpuStorage {
  return bias === undefined ? c : addBias(dev, c, bias, n);
}

/** Few outputs: one workgroup per (output, K slice of DOT_SEQ·workgroup), partials summed by the tree reduction. */
function dot(dev: GpuDevice, spec: GemmSpec): WebGpuStorage {
  const { z, m, n, k } = spec;
  const wg = dev.workgroupSize;
  const slice = wg * DOT_SEQ;
  const splits = Math.ceil(k / slice);
  const outputs = z * m * n;
  const pipe = dev.pipeline(
    `dot/${spec.key}`,
    2,
    1,
    () =>
      `${bindings(
        [
          ['a', 'f32'],
          ['b', 'f32'],
        ],
        [['c', 'f32']],
      )}
var<workgroup> red: array<f32, ${wg}>;
${spec.loaders}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u); let S = pu(4u); let Z = pu(5u);
  let g = wid.y * nwg.x + wid.x;
  let split = g % S; let o = g / S;
  let col = o % N; let row = (o / N) % M; let z = o / (M * N);
  let live = z < Z;
  if (live) { setup(z); }
  var acc = 0.0;
  for (var j = 0u; j < ${DOT_SEQ}u; j++) {
    let kk = split * ${slice}u + j * ${wg}u + lid;
    if (live && kk < K) { acc = fma(loadA(row, kk), loadB(kk, col), acc); }
  }
  red[lid] = acc;
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
  }
  if (lid == 0u && live) { c[split * Z * M * N + o] = red[0]; }
}
`,
  );
  const out = dev.alloc(outputs * splits, 'float32');
  const params = new Params().u(m).u(n).u(k).u(slice).u(splits).u(z).u(0).u(0);
  params.us(spec.params);
  dev.dispatch(pipe, [spec.a, spec.b], [out], params.build(), dev.grid(outputs * splits));
  if (splits === 1) return out;
  const summed = reduce(dev, 'sum', { storage: out, shape: [splits, outputs], dtype: 'float32' }, [0]);
  dev.free(out);
  return summed;
}

/** c + bias broadcast along rows of n (freeing c). */
function addBias(dev: GpuDevice, c: WebGpuStorage, bias: WebGpuStorage, n: number): WebGpuStorage {
  const out = dev.alloc(c.size, 'float32');
  const pipe = dev.pipeline(
    'gemm/bias',
    2,
    1,
    () =>
      bindings(
        [
          ['c', 'f32'],
          ['bias', 'f32'],
        ],
        [['out', 'f32']],
      ) + elementwiseMain(dev.workgroupSize, '  out[i] = c[i] + bias[i % pu(1u)];'),
  );
  dev.dispatch(
    pipe,
    [c, bias],
    [out],
    new Params().u(c.size).u(n).build(),
    dev.grid(Math.ceil(c.size / dev.workgroupSize)),
  );
  dev.free(c);
  return out;
}

/**
 * The GEMM of a batched matrix product (optional transposes, broadcast batch dims). Batch dims
 * merge where both operands step through them contiguously; the merged rank is the shader variant.
 */
export function matmulSpec(
  a: Ref,
  b: Ref,
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): Omit<GemmSpec, 'bias'> {
  const rank = outShape.length;
  const m = outShape[rank - 2]!;
  const n = outShape[rank - 1]!;
  const k = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
  const batch = outShape.slice(0, -2);
  const scale = (strides: number[], size: number) => strides.map((s) => s * size);
  const walk = coalesce(batch, [
    scale(broadcastStrides(a.shape.slice(0, -2), batch), m * k),
    scale(broadcastStrides(b.shape.slice(0, -2), batch), k * n),
  ]);
  const br = walk.shape.length;
  checkRank('matmul batch', br, 2);
  const operands = [
    { name: 'a', stridesAt: LOADER_PARAMS + br },
    { name: 'b', stridesAt: LOADER_PARAMS + 2 * br },
  ];
  const aAt = transposeA ? 'k * M + m' : 'm * K + k';
  const bAt = transposeB ? 'n * K + k' : 'k * N + n';
  const loaders = `var<private> aBase: u32;
var<private> bBase: u32;
fn setup(z: u32) {
${walkOffsets('z', br, LOADER_PARAMS, operands)}  aBase = off_a; bBase = off_b;
}
fn loadA(m: u32, k: u32) -> f32 { let M = pu(0u); let K = pu(2u); return a[aBase + ${aAt}]; }
fn loadB(k: u32, n: u32) -> f32 { let N = pu(1u); let K = pu(2u); return b[bBase + ${bAt}]; }
`;
  return {
    key: `matmul/${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}/r${br}`,
    a: a.storage,
    b: b.storage,
    z: sizeOf(batch),
    m,
    n,
    k,
    loaders,
    params: [...walk.shape, ...walk.strides[0]!, ...walk.strides[1]!],
    aKFastest: !transposeA,
    bKFastest: transposeB,
  };
}
