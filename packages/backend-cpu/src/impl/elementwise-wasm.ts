/**
 * Float32 elementwise, column-sum and optimizer-step loops on WebAssembly SIMD
 * (src/wasm/elementwise.wat), for the kernels in binary.ts, unary.ts, reduce.ts, sgd-step.ts and
 * adam-step.ts. Each entry returns false, doing nothing, when it does not handle the call (no
 * SIMD in this engine, switched off, too small, an unsupported stride pattern); the caller then
 * runs its JavaScript loop, which stays the reference: every path here returns the same bits.
 *
 * An operand that lives in the storage heap (src/impl/heap.ts, the module's memory) is passed by
 * address; an output is written in place when it is a whole heap block (the loops write up to
 * 3 padding lanes past its end). Any other operand (user data, an array from a JavaScript kernel,
 * no heap in this engine) is copied into the module's scratch (`TypedArray.set`, a memcpy) and a
 * result back out. Same-shape operands and the optimizer steps then go through in chunks of CHUNK
 * elements, so the copies and the loop stay in cache and the scratch stays small; broadcast
 * operands are copied whole (up to MAX_BROADCAST_BYTES) and each run of the broadcast is one call
 * into the module.
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

/**
 * Make the module's scratch at least `bytes` long and the views current; returns its byte
 * address, or -1 when it cannot be had (the heap is full: the caller runs JavaScript).
 */
function reserve(inst: Instance, bytes: number): number {
  if (!inst.module.reserve(bytes)) return -1;
  const heap = inst.module.f32;
  if (heap !== f32Heap) {
    f32Heap = heap;
    u8Heap = new Uint8Array(heap.buffer);
    f64Heap = new Float64Array(heap.buffer);
  }
  return inst.module.base;
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
 * The address of x[off, off + len) for the module: x's own when it lies in the module's memory
 * (`direct`), else a copy at `slot`.
 */
function load(x: Float32Array, direct: boolean, off: number, len: number, slot: number): number {
  if (direct) return x.byteOffset + off * 4;
  f32Heap.set(len === x.length ? x : x.subarray(off, off + len), slot >> 2);
  return slot;
}

/** Copy a result chunk at `slot` out to o[off, off + len) unless it was written in place. */
function store(o: Float32Array, direct: boolean, off: number, len: number, slot: number): void {
  if (!direct) o.set(f32Heap.subarray(slot >> 2, (slot >> 2) + len), off);
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
  const m = inst.module;
  if (a.length === n && b.length === n && sameShape(aShape, bShape)) {
    const [da, db, dout] = [m.holds(a), m.holds(b), m.owns(out)];
    const all = da && db && dout;
    const size = f32Bytes(CHUNK);
    const base = all ? 0 : reserve(inst, 3 * size);
    if (base < 0) return false;
    const chunk = all ? n : CHUNK;
    for (let off = 0; off < n; off += chunk) {
      const len = Math.min(chunk, n - off);
      const O = dout ? out.byteOffset + off * 4 : base + 2 * size;
      f.vv(load(a, da, off, len, base), load(b, db, off, len, base + size), O, len);
      store(out, dout, off, len, O);
    }
    return true;
  }
  if (b.length === 1 && a.length === n) return scalarForm(inst, f.vs, a, b[0]!, out);
  if (a.length === 1 && b.length === n) return scalarForm(inst, (x, s, o, len) => f.sv(s, x, o, len), b, a[0]!, out);
  const [da, db, dout] = [m.holds(a), m.holds(b), m.owns(out)];
  const scratchBytes = (da ? 0 : f32Bytes(a.length)) + (db ? 0 : f32Bytes(b.length)) + (dout ? 0 : f32Bytes(n));
  if (scratchBytes > MAX_BROADCAST_BYTES) return false;
  // The inner strides are the same for every run: the first run decides whether the module
  // can take this broadcast (contiguous or scalar operands, runs long enough to pay for a call).
  let handled: boolean | undefined;
  let A = 0;
  let B = 0;
  let O = 0;
  forEachRun(
    outShape,
    [stridesOf(outShape), broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)],
    (offs, len, inner) => {
      if (handled === undefined) {
        const as = inner[1]!;
        const bs = inner[2]!;
        handled = len >= 16 && inner[0] === 1 && (as === 0 || as === 1) && (bs === 0 || bs === 1) && as + bs > 0;
        if (!handled) return;
        const base = scratchBytes === 0 ? 0 : reserve(inst, scratchBytes);
        if (base < 0) {
          handled = false;
          return;
        }
        let at = base;
        A = da ? a.byteOffset : at;
        if (!da) at += f32Bytes(a.length);
        B = db ? b.byteOffset : at;
        if (!db) at += f32Bytes(b.length);
        O = dout ? out.byteOffset : at;
        if (!da) f32Heap.set(a, A >> 2);
        if (!db) f32Heap.set(b, B >> 2);
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
  store(out, dout, 0, n, O);
  return true;
}

/** out[i] = x[i] op s in chunks (`loop` is a vector-scalar export). */
function scalarForm(inst: Instance, loop: VecScalar, x: Float32Array, s: number, out: Float32Array): boolean {
  const n = out.length;
  const m = inst.module;
  const [dx, dout] = [m.holds(x), m.owns(out)];
  const size = f32Bytes(CHUNK);
  const base = dx && dout ? 0 : reserve(inst, 2 * size);
  if (base < 0) return false;
  const chunk = dx && dout ? n : CHUNK;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const O = dout ? out.byteOffset + off * 4 : base + size;
    loop(load(x, dx, off, len, base), s, O, len);
    store(out, dout, off, len, O);
  }
  return true;
}

/** out[i] = relu(x[i]), keeping -0 and NaN bits (out may be x). */
export function reluF32Simd(x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const inst = active(n);
  if (inst === null) return false;
  const m = inst.module;
  const [dx, dout] = [m.holds(x), m.owns(out)];
  // copied operands go in place in the scratch: one chunk-sized buffer stays in L1
  const base = dx && dout ? 0 : reserve(inst, f32Bytes(CHUNK));
  if (base < 0) return false;
  const chunk = dx && dout ? n : CHUNK;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const X = load(x, dx, off, len, base);
    const O = dout ? out.byteOffset + off * 4 : base;
    inst.relu(X, O, len);
    store(out, dout, off, len, O);
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
  const m = inst.module;
  // cond (bytes) is always copied; a scalar operand too
  const [da, db, dout] = [a.length === n && m.holds(a), b.length === n && m.holds(b), m.owns(out)];
  const size = f32Bytes(CHUNK);
  const base = reserve(inst, 3 * size + CHUNK);
  if (base < 0) return false;
  const [A, B, O, C] = [base, base + size, base + 2 * size, base + 3 * size];
  // a scalar operand sits four times at its address and is read with step 0 (copied, not
  // assigned, so that even a signalling NaN keeps its bits)
  for (let k = 0; k < 4; k++) {
    if (a.length === 1) f32Heap.set(a, (A >> 2) + k);
    if (b.length === 1) f32Heap.set(b, (B >> 2) + k);
  }
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    u8Heap.set(len === n ? cond : cond.subarray(off, off + len), C);
    const pa = a.length === n ? load(a, da, off, len, A) : A;
    const pb = b.length === n ? load(b, db, off, len, B) : B;
    const po = dout ? out.byteOffset + off * 4 : O;
    inst.where(C, pa, a.length === n ? 16 : 0, pb, b.length === n ? 16 : 0, po, len);
    store(out, dout, off, len, po);
  }
  return true;
}

/** out[i] = y[i] > 0 ? dy[i] : 0 in one pass (ReLU's gradient from its output). */
export function reluBackwardF32Simd(dy: Float32Array, y: Float32Array, out: Float32Array): boolean {
  const n = out.length;
  const inst = active(n);
  if (inst === null || dy.length !== n || y.length !== n) return false;
  const m = inst.module;
  const [dd, dyy, dout] = [m.holds(dy), m.holds(y), m.owns(out)];
  const all = dd && dyy && dout;
  // copied, the result goes over dy's chunk: two chunk-sized buffers instead of three stay in L1
  const size = f32Bytes(CHUNK);
  const base = all ? 0 : reserve(inst, 2 * size);
  if (base < 0) return false;
  const chunk = all ? n : CHUNK;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const D = load(dy, dd, off, len, base);
    const O = dout ? out.byteOffset + off * 4 : base;
    inst.reluBackward(D, load(y, dyy, off, len, base + size), O, len);
    store(out, dout, off, len, O);
  }
  return true;
}

/** out[i] = x[i] > s ? 1 : 0. */
export function gtScalarF32Simd(x: Float32Array, s: number, out: Uint8Array): boolean {
  const n = x.length;
  const inst = active(n);
  if (inst === null) return false;
  const dx = inst.module.holds(x);
  const size = f32Bytes(CHUNK);
  const base = reserve(inst, size + CHUNK);
  if (base < 0) return false;
  const O = base + size;
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    inst.gtVs(load(x, dx, off, len, base), s, O, len);
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
  const dx = inst.module.holds(x);
  const accBytes = ((cols + 3) & ~3) * 8;
  // rows per chunk: a copied chunk of x stays near CHUNK elements
  const chunkRows = dx ? rows : Math.max(1, Math.floor(CHUNK / cols));
  const base = reserve(inst, accBytes + (dx ? 0 : f32Bytes(chunkRows * cols)));
  if (base < 0) return false;
  const ACC = base;
  f64Heap.fill(0, ACC >> 3, (ACC + accBytes) >> 3);
  for (let r = 0; r < rows; r += chunkRows) {
    const nr = Math.min(chunkRows, rows - r);
    inst.sumRows(load(x, dx, r * cols, nr * cols, base + accBytes), ACC, nr, cols);
  }
  out.set(f64Heap.subarray(ACC >> 3, (ACC >> 3) + cols));
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
  const m = inst.module;
  const dp = m.owns(param);
  const dg = m.holds(grad);
  const dm = momentumBuffer === null || m.owns(momentumBuffer);
  const all = dp && dg && dm;
  const size = f32Bytes(CHUNK);
  const base = all ? 0 : reserve(inst, 3 * size);
  if (base < 0) return false;
  const chunk = all ? n : CHUNK;
  const readM = momentumBuffer !== null && !options.firstStep;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const P = load(param, dp, off, len, base);
    const G = load(grad, dg, off, len, base + size);
    // without momentum the module never touches M; on the first step it only writes it
    let M = base + 2 * size;
    if (momentumBuffer !== null && (dm || readM)) M = load(momentumBuffer, dm, off, len, M);
    inst.sgd(P, G, M, len, flags, options.weightDecay, options.momentum, f(1 - options.dampening), -options.lr);
    store(param, dp, off, len, P);
    if (momentumBuffer !== null) store(momentumBuffer, dm, off, len, M);
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
  const m = inst.module;
  const [dp, dg, dm, dv] = [m.owns(param), m.holds(grad), m.owns(expAvg), m.owns(expAvgSq)];
  const dvm = maxExpAvgSq === null || m.owns(maxExpAvgSq);
  const all = dp && dg && dm && dv && dvm;
  const size = f32Bytes(CHUNK);
  const base = all ? 0 : reserve(inst, 5 * size);
  if (base < 0) return false;
  const chunk = all ? n : CHUNK;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    const P = load(param, dp, off, len, base);
    const G = load(grad, dg, off, len, base + size);
    const M = load(expAvg, dm, off, len, base + 2 * size);
    const V = load(expAvgSq, dv, off, len, base + 3 * size);
    const VM = maxExpAvgSq === null ? base + 4 * size : load(maxExpAvgSq, dvm, off, len, base + 4 * size);
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
    store(param, dp, off, len, P);
    store(expAvg, dm, off, len, M);
    store(expAvgSq, dv, off, len, V);
    if (maxExpAvgSq !== null) store(maxExpAvgSq, dvm, off, len, VM);
  }
  return true;
}
