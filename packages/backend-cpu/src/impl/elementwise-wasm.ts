/**
 * Float32 elementwise, column-sum and optimizer-step loops on WebAssembly SIMD
 * (src/wasm/elementwise.wat), for the kernels in binary.ts, unary.ts, reduce.ts, sgd-step.ts and
 * adam-step.ts. Each entry returns false, doing nothing, when it does not handle the call (no
 * SIMD in this engine, switched off, too small, an unsupported stride pattern); the caller then
 * runs its JavaScript loop, which stays the reference: every path here returns the same bits.
 *
 * Operands live in JavaScript typed arrays, so a call copies them into the module's memory
 * (`TypedArray.set`, a memcpy) and the results back out. Same-shape operands and the optimizer
 * steps go through in chunks of CHUNK elements, so the copies and the loop stay in cache and the
 * memory stays small; broadcast operands are copied whole (up to MAX_BROADCAST_BYTES) and each
 * run of the broadcast is one call into the module.
 */
import type { AdamStepOptions, SgdStepOptions, Shape } from '@flint/core/backend';
import { elementwiseWasmBase64 } from '../wasm/elementwise-bytes.js';
import { broadcastStrides, forEachRun, stridesOf } from './util.js';
import { loadSimdModule, type SimdModule } from './wasm-module.js';

/** (a, b, o, n): o[i] = a[i] op b[i]. */
type VecVec = (a: number, b: number, o: number, n: number) => void;
/** (a, s, o, n): o[i] = a[i] op s. */
type VecScalar = (a: number, s: number, o: number, n: number) => void;
/** (s, b, o, n): o[i] = s op b[i]. */
type ScalarVec = (s: number, b: number, o: number, n: number) => void;

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';

interface BinaryForms {
  vv: VecVec;
  vs: VecScalar;
  sv: ScalarVec;
}

interface Instance {
  module: SimdModule;
  binary: Record<SimdBinaryOp, BinaryForms>;
  relu: (x: number, o: number, n: number) => void;
  gtVs: VecScalar;
  reluBackward: VecVec;
  where: (c: number, a: number, aStep: number, b: number, bStep: number, o: number, n: number) => void;
  sumRows: (x: number, acc: number, rows: number, cols: number) => void;
  sgd: (
    p: number,
    g: number,
    buf: number,
    n: number,
    flags: number,
    wd: number,
    m: number,
    keep: number,
    negLr: number,
  ) => void;
  adam: (
    p: number,
    g: number,
    m: number,
    v: number,
    vmax: number,
    n: number,
    flags: number,
    paramScale: number,
    decay: number,
    b1: number,
    b2: number,
    omb1: number,
    omb2: number,
    c2: number,
    eps: number,
    negStep: number,
  ) => void;
}

function instantiate(): Instance | null {
  const module = loadSimdModule(elementwiseWasmBase64);
  if (module === null) return null;
  const e = module.exports;
  const forms = (op: SimdBinaryOp): BinaryForms => {
    const vs = e[`${op}_vs`] as VecScalar;
    // add and mul commute (bit for bit), so s op b[i] is b[i] op s
    const sv = (e[`${op}_sv`] as ScalarVec | undefined) ?? ((s, b, o, n) => vs(b, s, o, n));
    return { vv: e[`${op}_vv`] as VecVec, vs, sv };
  };
  return {
    module,
    binary: { add: forms('add'), sub: forms('sub'), mul: forms('mul'), div: forms('div') },
    relu: e.relu as Instance['relu'],
    gtVs: e.gt_vs as VecScalar,
    reluBackward: e.relu_backward as VecVec,
    where: e.where as Instance['where'],
    sumRows: e.sum_rows as Instance['sumRows'],
    sgd: e.sgd as Instance['sgd'],
    adam: e.adam as Instance['adam'],
  };
}

const instance = instantiate();
let enabled = instance !== null;

/** Whether the SIMD loops loaded in this engine. */
export const elementwiseSimdAvailable: boolean = instance !== null;

/**
 * Switch the SIMD loops on or off (tests and benchmarks compare them with the JavaScript loops);
 * returns the previous setting. Turning them on where they did not load is an error.
 */
export function setElementwiseSimd(on: boolean): boolean {
  if (on && instance === null) throw new Error('WebAssembly SIMD is not available in this engine');
  const prev = enabled;
  enabled = on;
  return prev;
}

/** Below this many elements the copies and the call cost more than the JavaScript loop. */
const MIN_ELEMENTS = 256;
/** Elements per chunk of a same-shape call: a few operands of it stay in L2 cache. */
const CHUNK = 8192;
/** Broadcast calls copy both operands and the output whole; larger ones stay in JavaScript. */
const MAX_BROADCAST_BYTES = 64 * 2 ** 20;

let f32Heap: Float32Array = new Float32Array(0);
let u8Heap: Uint8Array = new Uint8Array(0);
let f64Heap: Float64Array = new Float64Array(0);

/** Byte size of n float32 elements padded to whole 64-byte blocks (16 elements). */
const f32Bytes = (n: number): number => ((n + 15) & ~15) * 4;

/** Make the module's memory at least `bytes` long (grown, never shrunk) and the views current. */
function reserve(inst: Instance, bytes: number): void {
  inst.module.reserve(bytes);
  const heap = inst.module.f32;
  if (heap === f32Heap) return;
  f32Heap = heap;
  u8Heap = new Uint8Array(heap.buffer);
  f64Heap = new Float64Array(heap.buffer);
}

function active(n: number): Instance | null {
  return enabled && n >= MIN_ELEMENTS ? instance : null;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * out = a op b with NumPy broadcasting to outShape (out has outShape's size). Handles same-shape
 * operands, a scalar on either side, and broadcasts whose innermost runs are contiguous or scalar
 * for each operand (`[64,512] + [512]`, `[64,6,28,28] + [1,6,1,1]`).
 */
export function binaryF32Simd(
  op: SimdBinaryOp,
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  outShape: Shape,
  out: Float32Array,
): boolean {
  const n = out.length;
  const inst = active(n);
  if (inst === null) return false;
  const f = inst.binary[op];
  if (a.length === n && b.length === n && sameShape(aShape, bShape)) {
    const A = 0;
    const B = f32Bytes(CHUNK);
    const O = 2 * B;
    reserve(inst, 3 * B);
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off);
      f32Heap.set(len === n ? a : a.subarray(off, off + len), A >> 2);
      f32Heap.set(len === n ? b : b.subarray(off, off + len), B >> 2);
      f.vv(A, B, O, len);
      out.set(f32Heap.subarray(O >> 2, (O >> 2) + len), off);
    }
    return true;
  }
  if (b.length === 1 && a.length === n) return scalarForm(inst, f.vs, a, b[0]!, out);
  if (a.length === 1 && b.length === n) return scalarForm(inst, (x, s, o, len) => f.sv(s, x, o, len), b, a[0]!, out);
  const A = 0;
  const B = f32Bytes(a.length);
  const O = B + f32Bytes(b.length);
  const end = O + f32Bytes(n);
  if (end > MAX_BROADCAST_BYTES) return false;
  // The inner strides are the same for every run: the first run decides whether the module
  // can take this broadcast (contiguous or scalar operands, runs long enough to pay for a call).
  let handled: boolean | undefined;
  forEachRun(
    outShape,
    [stridesOf(outShape), broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)],
    (offs, len, inner) => {
      if (handled === undefined) {
        const as = inner[1]!;
        const bs = inner[2]!;
        handled = len >= 16 && inner[0] === 1 && (as === 0 || as === 1) && (bs === 0 || bs === 1) && as + bs > 0;
        if (!handled) return;
        reserve(inst, end);
        f32Heap.set(a, A >> 2);
        f32Heap.set(b, B >> 2);
      } else if (!handled) return;
      // Runs go through the output in order and each vector loop may write up to 3 lanes past
      // its run: the next run overwrites them, and the last one's land in O's padding.
      const ao = offs[1]!;
      const bo = offs[2]!;
      const oo = O + offs[0]! * 4;
      if (inner[1] === 1) {
        if (inner[2] === 1) f.vv(A + ao * 4, B + bo * 4, oo, len);
        else f.vs(A + ao * 4, b[bo]!, oo, len);
      } else f.sv(a[ao]!, B + bo * 4, oo, len);
    },
  );
  if (handled !== true) return false;
  out.set(f32Heap.subarray(O >> 2, (O >> 2) + n));
  return true;
}

/** out[i] = x[i] op s in chunks (`loop` is a vector-scalar export). */
function scalarForm(inst: Instance, loop: VecScalar, x: Float32Array, s: number, out: Float32Array): boolean {
  const n = out.length;
  const X = 0;
  const O = f32Bytes(CHUNK);
  reserve(inst, 2 * O);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    f32Heap.set(len === n ? x : x.subarray(off, off + len), X >> 2);
    loop(X, s, O, len);
    out.set(f32Heap.subarray(O >> 2, (O >> 2) + len), off);
  }
  return true;
}

/** out[i] = relu(x[i]), keeping -0 and NaN bits (out may be x). */
export function reluF32Simd(x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const inst = active(n);
  if (inst === null) return false;
  // in place in the module's memory: one chunk-sized buffer stays in L1
  const X = 0;
  reserve(inst, f32Bytes(CHUNK));
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    f32Heap.set(len === n ? x : x.subarray(off, off + len), X >> 2);
    inst.relu(X, X, len);
    out.set(f32Heap.subarray(X >> 2, (X >> 2) + len), off);
  }
  return true;
}

/**
 * out[i] = cond[i] ? a[i] : b[i] where cond has out's size and each of a, b has it too or is one
 * value (ReLU's backward is `where(y > 0, g, 0)`).
 */
export function whereF32Simd(cond: Uint8Array, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  const n = out.length;
  const inst = active(n);
  if (inst === null || cond.length !== n || (a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1))
    return false;
  const size = f32Bytes(CHUNK);
  const [A, B, O, C] = [0, size, 2 * size, 3 * size];
  reserve(inst, C + CHUNK);
  // a scalar operand sits four times at its address and is read with step 0 (copied, not
  // assigned, so that even a signalling NaN keeps its bits)
  for (let k = 0; k < 4; k++) {
    if (a.length === 1) f32Heap.set(a, (A >> 2) + k);
    if (b.length === 1) f32Heap.set(b, (B >> 2) + k);
  }
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const end = off + len;
    u8Heap.set(len === n ? cond : cond.subarray(off, end), C);
    if (a.length === n) f32Heap.set(len === n ? a : a.subarray(off, end), A >> 2);
    if (b.length === n) f32Heap.set(len === n ? b : b.subarray(off, end), B >> 2);
    inst.where(C, A, a.length === n ? 16 : 0, B, b.length === n ? 16 : 0, O, len);
    out.set(f32Heap.subarray(O >> 2, (O >> 2) + len), off);
  }
  return true;
}

/** out[i] = y[i] > 0 ? dy[i] : 0 in one pass (ReLU's gradient from its output). */
export function reluBackwardF32Simd(dy: Float32Array, y: Float32Array, out: Float32Array): boolean {
  const n = out.length;
  const inst = active(n);
  if (inst === null || dy.length !== n || y.length !== n) return false;
  // the result over dy's chunk: two chunk-sized buffers instead of three stay in L1
  const D = 0;
  const Y = f32Bytes(CHUNK);
  reserve(inst, 2 * Y);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    f32Heap.set(len === n ? dy : dy.subarray(off, off + len), D >> 2);
    f32Heap.set(len === n ? y : y.subarray(off, off + len), Y >> 2);
    inst.reluBackward(D, Y, D, len);
    out.set(f32Heap.subarray(D >> 2, (D >> 2) + len), off);
  }
  return true;
}

/** out[i] = x[i] > s ? 1 : 0. */
export function gtScalarF32Simd(x: Float32Array, s: number, out: Uint8Array): boolean {
  const n = x.length;
  const inst = active(n);
  if (inst === null) return false;
  const X = 0;
  const O = f32Bytes(CHUNK);
  reserve(inst, O + CHUNK);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    f32Heap.set(len === n ? x : x.subarray(off, off + len), X >> 2);
    inst.gtVs(X, s, O, len);
    out.set(u8Heap.subarray(O, O + len), off);
  }
  return true;
}

/**
 * out[j] = sum over r of x[r * cols + j] (x row-major [rows, cols]), in float64 row after row
 * as reduce.ts's loop sums, rounded once to float32.
 */
export function sumRowsF32Simd(x: Float32Array, rows: number, cols: number, out: Float32Array): boolean {
  const inst = active(x.length);
  if (inst === null || cols < 16) return false;
  const accBytes = ((cols + 3) & ~3) * 8;
  // rows per chunk: a chunk of x stays near CHUNK elements
  const chunkRows = Math.max(1, Math.floor(CHUNK / cols));
  const ACC = 0;
  const X = accBytes;
  reserve(inst, X + f32Bytes(chunkRows * cols));
  f64Heap.fill(0, 0, accBytes >> 3);
  for (let r = 0; r < rows; r += chunkRows) {
    const nr = Math.min(chunkRows, rows - r);
    f32Heap.set(nr === rows ? x : x.subarray(r * cols, (r + nr) * cols), X >> 2);
    inst.sumRows(X, ACC, nr, cols);
  }
  out.set(f64Heap.subarray(0, cols));
  return true;
}

const f = Math.fround;

/** sgd-step.ts's sgdStep in the module (same float32 operations, in place). */
export function sgdStepSimd(
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | null,
  options: SgdStepOptions,
): boolean {
  const n = param.length;
  const inst = active(n);
  if (inst === null) return false;
  const flags =
    (options.maximize ? 1 : 0) |
    (options.weightDecay !== 0 ? 2 : 0) |
    (momentumBuffer !== null ? 4 : 0) |
    (options.firstStep ? 8 : 0) |
    (options.nesterov ? 16 : 0);
  const size = f32Bytes(CHUNK);
  const P = 0;
  const G = size;
  const M = 2 * size;
  reserve(inst, 3 * size);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const end = off + len;
    f32Heap.set(param.subarray(off, end), P >> 2);
    f32Heap.set(grad.subarray(off, end), G >> 2);
    if (momentumBuffer !== null && !options.firstStep) f32Heap.set(momentumBuffer.subarray(off, end), M >> 2);
    inst.sgd(P, G, M, len, flags, options.weightDecay, options.momentum, f(1 - options.dampening), -options.lr);
    param.set(f32Heap.subarray(P >> 2, (P >> 2) + len), off);
    if (momentumBuffer !== null) momentumBuffer.set(f32Heap.subarray(M >> 2, (M >> 2) + len), off);
  }
  return true;
}

/** adam-step.ts's adamStep in the module (same float32 operations, in place). */
export function adamStepSimd(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
  options: AdamStepOptions,
): boolean {
  const n = param.length;
  const inst = active(n);
  if (inst === null) return false;
  const { lr, beta1, beta2, weightDecay, step } = options;
  const flags =
    (options.maximize ? 1 : 0) |
    (options.decoupledWeightDecay && weightDecay !== 0 ? 2 : 0) |
    (!options.decoupledWeightDecay && weightDecay !== 0 ? 4 : 0) |
    (maxExpAvgSq !== null ? 8 : 0);
  const size = f32Bytes(CHUNK);
  const [P, G, M, V, VM] = [0, size, 2 * size, 3 * size, 4 * size];
  reserve(inst, 5 * size);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const end = off + len;
    f32Heap.set(param.subarray(off, end), P >> 2);
    f32Heap.set(grad.subarray(off, end), G >> 2);
    f32Heap.set(expAvg.subarray(off, end), M >> 2);
    f32Heap.set(expAvgSq.subarray(off, end), V >> 2);
    if (maxExpAvgSq !== null) f32Heap.set(maxExpAvgSq.subarray(off, end), VM >> 2);
    // the scalars exactly as adam-step.ts rounds them
    inst.adam(
      P,
      G,
      M,
      V,
      VM,
      len,
      flags,
      f(1 - lr * weightDecay),
      f(weightDecay),
      f(beta1),
      f(beta2),
      f(1 - beta1),
      f(1 - beta2),
      f(Math.sqrt(1 - beta2 ** step)),
      f(options.eps),
      f(-(lr / (1 - beta1 ** step))),
    );
    param.set(f32Heap.subarray(P >> 2, (P >> 2) + len), off);
    expAvg.set(f32Heap.subarray(M >> 2, (M >> 2) + len), off);
    expAvgSq.set(f32Heap.subarray(V >> 2, (V >> 2) + len), off);
    if (maxExpAvgSq !== null) maxExpAvgSq.set(f32Heap.subarray(VM >> 2, (VM >> 2) + len), off);
  }
  return true;
}
