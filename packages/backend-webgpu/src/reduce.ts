/**
 * Reductions (sum, prod, max, min over a set of axes; argmax/argmin over one axis) as tree
 * reductions in workgroup memory.
 *
 * Every reduction is brought to the form [A, R, B] -> [A, B] (reduce the middle dim): adjacent
 * kept/reduced dims merge, and axis sets that do not form one block are permuted first. A pass
 * reduces chunks of R: each invocation folds up to SEQ strided elements, then the workgroup combines
 * its invocations pairwise in shared memory, writing [A, R', B] partials; passes repeat until R' = 1.
 * This keeps both the per-invocation loop count (Mesa's llvmpipe silently stops shader loops after
 * 65535 iterations) and the float32 rounding error (sequential runs of at most SEQ, then pairwise)
 * small. Short reductions (R <= DIRECT_MAX) take one invocation per output.
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import type { Ref } from './context.js';
import type { GpuDevice } from './device.js';
import { fillWords, stridedCopy, wordOf } from './layout.js';
import type { WebGpuStorage } from './storage.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params, wgslType, type Binding, type WgslType } from './wgsl.js';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';
export type ArgOp = 'argmax' | 'argmin';

const SEQ = 16;
const DIRECT_MAX = 32;
const EMPTY = '0xffffffffu';

/** [A, R, B] view of a reduction, or null when the reduced axes are not one block. */
export function blockView(
  shape: readonly number[],
  reduced: (axis: number) => boolean,
): [number, number, number] | null {
  let a = 1;
  let r = 1;
  let b = 1;
  let phase = 0; // 0: before the reduced block, 1: inside, 2: after
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    if (reduced(d)) {
      if (phase === 2) return null;
      phase = 1;
      r *= size;
    } else if (phase === 0) a *= size;
    else {
      phase = 2;
      b *= size;
    }
  }
  return [a, r, b];
}

function identity(op: ReduceOp, t: WgslType): string {
  if (op === 'sum') return `${t}(0)`;
  if (op === 'prod') return `${t}(1)`;
  const max = op === 'max';
  if (t === 'f32') return max ? '-f_inf()' : 'f_inf()';
  if (t === 'i32') return max ? 'bitcast<i32>(0x80000000u)' : '2147483647';
  return max ? '0u' : EMPTY;
}

function combineFn(op: ReduceOp, t: WgslType): string {
  let body: string;
  if (op === 'sum') body = 'return p + q;';
  else if (op === 'prod') body = 'return p * q;';
  else if (t === 'f32') body = `if (is_nan(p) || is_nan(q)) { return f_nan(); }\nreturn ${op}(p, q);`;
  else body = `return ${op}(p, q);`;
  return `fn comb(p: ${t}, q: ${t}) -> ${t} {\n${body}\n}\n`;
}

function treeLanes(workgroupSize: number, b: number): [number, number] {
  let bl = 1;
  while (bl < Math.min(b, 64)) bl *= 2;
  return [bl, workgroupSize / bl];
}

/** Shared prologue of a tree pass: which (a, b, chunk) this invocation works on. */
function treeHead(wg: number, bl: number): string {
  return `var<workgroup> sh: array<T, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let A = pu(0u); let R = pu(1u); let B = pu(2u); let Rp = pu(3u); let nB = pu(4u);
  let chunk = g % Rp; let rest = g / Rp; let a = rest / nB;
  let bl = lid % ${bl}u; let rl = lid / ${bl}u;
  let b = (rest % nB) * ${bl}u + bl;
  let live = a < A && b < B;
`;
}

/** One pass of sum/prod/max/min over [A, R, B]: returns [A, R', B] partials and R'. */
function reducePass(
  dev: GpuDevice,
  op: ReduceOp,
  x: WebGpuStorage,
  a: number,
  r: number,
  b: number,
): [WebGpuStorage, number] {
  const t = wgslType(x.dtype);
  const wg = dev.workgroupSize;
  const head = bindings([['x', t]], [['out', t]]) + FLOAT_HELPERS + combineFn(op, t);
  if (r <= DIRECT_MAX) {
    const out = dev.alloc(a * b, x.dtype);
    const pipe = dev.pipeline(
      `reduce/${op}/${t}/direct`,
      1,
      1,
      () =>
        head +
        elementwiseMain(
          wg,
          `  let R = pu(1u); let B = pu(2u);
  let a = i / B; let b = i - a * B;
  var acc: ${t} = ${identity(op, t)};
  for (var r = 0u; r < R; r++) { acc = comb(acc, x[(a * R + r) * B + b]); }
  out[i] = acc;`,
        ),
    );
    dev.dispatch(
      pipe,
      [x],
      [out],
      new Params()
        .u(a * b)
        .u(r)
        .u(b)
        .build(),
      dev.grid(Math.ceil((a * b) / wg)),
    );
    return [out, 1];
  }
  const [bl, rl] = treeLanes(wg, b);
  const chunk = rl * SEQ;
  const rp = Math.ceil(r / chunk);
  const nb = Math.ceil(b / bl);
  const out = dev.alloc(a * rp * b, x.dtype);
  const pipe = dev.pipeline(
    `reduce/${op}/${t}/tree${bl}`,
    1,
    1,
    () =>
      `${head}alias T = ${t};\n${treeHead(wg, bl)}
  var acc: T = ${identity(op, t)};
  if (live) {
    let r0 = chunk * ${chunk}u + rl;
    for (var j = 0u; j < ${SEQ}u; j++) {
      let r = r0 + j * ${rl}u;
      if (r < R) { acc = comb(acc, x[(a * R + r) * B + b]); }
    }
  }
  sh[lid] = acc;
  for (var s = ${rl / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (rl < s) { sh[lid] = comb(sh[lid], sh[lid + s * ${bl}u]); }
  }
  if (rl == 0u && live) { out[(a * Rp + chunk) * B + b] = sh[lid]; }
}
`,
  );
  const params = new Params().u(a).u(r).u(b).u(rp).u(nb);
  dev.dispatch(pipe, [x], [out], params.build(), dev.grid(a * nb * rp));
  return [out, rp];
}

/** Axes given, removed from the shape: the kernel behind sum/prod/max/min. */
export function reduce(dev: GpuDevice, op: ReduceOp, x: Ref, axes: readonly number[]): WebGpuStorage {
  const isReduced = (d: number) => axes.includes(d);
  const nOut = sizeOf(x.shape.filter((_, d) => !isReduced(d)));
  const r = sizeOf(axes.map((d) => x.shape[d]!));
  if (nOut === 0) return dev.alloc(0, x.dtype);
  if (r === 0) return fillWords(dev, nOut, x.dtype, wordOf(op === 'prod' ? 1 : 0, x.dtype));
  let view = blockView(x.shape, isReduced);
  let src = x.storage;
  if (view === null) {
    // Kept axes first (in order), reduced axes last: then the output order is the kept order.
    const perm = [...x.shape.keys()].filter((d) => !isReduced(d)).concat([...axes]);
    const strides = stridesOf(x.shape);
    src = stridedCopy(
      dev,
      x.storage,
      perm.map((d) => x.shape[d]!),
      0,
      perm.map((d) => strides[d]!),
    );
    view = [nOut, r, 1];
  }
  const [a, , b] = view;
  let rest = view[1];
  if (rest === 1) return src === x.storage ? copyOf(dev, src) : src;
  for (;;) {
    const [out, rp] = reducePass(dev, op, src, a, rest, b);
    if (src !== x.storage) dev.free(src);
    if (rp === 1) return out;
    src = out;
    rest = rp;
  }
}

function copyOf(dev: GpuDevice, s: WebGpuStorage): WebGpuStorage {
  const out = dev.alloc(s.size, s.dtype);
  dev.copy(s, 0, out, 0, s.size);
  return out;
}

/**
 * WGSL for arg-reductions. A candidate is (value, index along R) or empty (index EMPTY). As in
 * PyTorch, NaN wins (the first NaN for argmax and argmin alike) and ties keep the first index,
 * whatever order the tree combines in.
 */
function argHelpers(op: ArgOp, t: WgslType): string {
  const better = op === 'argmax' ? '>' : '<';
  return `
struct Cand { v: ${t}, i: u32 }
fn cand(v: ${t}, i: u32) -> Cand {
  return Cand(v, i);
}
fn pick(p: Cand, q: Cand) -> Cand {
  if (p.i == ${EMPTY}) { return q; }
  if (q.i == ${EMPTY}) { return p; }
  var first = p; var second = q;
  if (q.i < p.i) { first = q; second = p; }
  ${t === 'f32' ? 'if (is_nan(first.v)) { return first; }\n  if (is_nan(second.v)) { return second; }' : ''}
  if (second.v ${better} first.v) { return second; }
  return first;
}
`;
}

/** One arg-reduction pass; `xi` holds candidate indices from a previous pass (null on the first). */
function argPass(
  dev: GpuDevice,
  op: ArgOp,
  x: WebGpuStorage,
  xi: WebGpuStorage | null,
  a: number,
  r: number,
  b: number,
): { values: WebGpuStorage | null; indices: WebGpuStorage; rp: number } {
  const t = wgslType(x.dtype);
  const wg = dev.workgroupSize;
  const direct = r <= DIRECT_MAX;
  const [bl, rl] = treeLanes(wg, b);
  const chunk = rl * SEQ;
  const rp = direct ? 1 : Math.ceil(r / chunk);
  const final = rp === 1;
  const nb = Math.ceil(b / bl);
  const inputs: Binding[] =
    xi === null
      ? [['x', t]]
      : [
          ['x', t],
          ['xi', 'u32'],
        ];
  const outputs: Binding[] = final
    ? [['oi', 'i32']]
    : [
        ['ov', t],
        ['oi', 'u32'],
      ];
  const read = (at: string, r: string) => (xi === null ? `cand(x[${at}], ${r})` : `Cand(x[${at}], xi[${at}])`);
  const store = (at: string, c: string) =>
    final ? `oi[${at}] = i32(${c}.i);` : `ov[${at}] = ${c}.v; oi[${at}] = ${c}.i;`;
  const key = `${op}/${t}/${direct ? 'direct' : `tree${bl}`}/${xi === null ? 'first' : 'next'}/${final ? 'final' : 'partial'}`;
  const head = bindings(inputs, outputs) + FLOAT_HELPERS + argHelpers(op, t);
  const pipe = dev.pipeline(key, inputs.length, outputs.length, () =>
    direct
      ? head +
        elementwiseMain(
          wg,
          `  let R = pu(1u); let B = pu(2u);
  let a = i / B; let b = i - a * B;
  var best = Cand(${t}(0), ${EMPTY});
  for (var r = 0u; r < R; r++) { best = pick(best, ${read('(a * R + r) * B + b', 'r')}); }
  ${store('i', 'best')}`,
        )
      : `${head}alias T = Cand;\n${treeHead(wg, bl)}
  var best = Cand(${t}(0), ${EMPTY});
  if (live) {
    let r0 = chunk * ${chunk}u + rl;
    for (var j = 0u; j < ${SEQ}u; j++) {
      let r = r0 + j * ${rl}u;
      if (r < R) { best = pick(best, ${read('(a * R + r) * B + b', 'r')}); }
    }
  }
  sh[lid] = best;
  for (var s = ${rl / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (rl < s) { sh[lid] = pick(sh[lid], sh[lid + s * ${bl}u]); }
  }
  if (rl == 0u && live) { let c = sh[lid]; ${store('(a * Rp + chunk) * B + b', 'c')} }
}
`,
  );
  const values = final ? null : dev.alloc(a * rp * b, x.dtype);
  // Partial indices are u32 words; the final ones are the int32 result.
  const indices = dev.alloc(a * rp * b, 'int32');
  const ins = xi === null ? [x] : [x, xi];
  const outs = values === null ? [indices] : [values, indices];
  if (direct) {
    dev.dispatch(
      pipe,
      ins,
      outs,
      new Params()
        .u(a * b)
        .u(r)
        .u(b)
        .build(),
      dev.grid(Math.ceil((a * b) / wg)),
    );
  } else {
    dev.dispatch(pipe, ins, outs, new Params().u(a).u(r).u(b).u(rp).u(nb).build(), dev.grid(a * nb * rp));
  }
  return { values, indices, rp };
}

/** argmax/argmin along one axis (removed); int32, first occurrence on ties. */
export function argReduce(dev: GpuDevice, op: ArgOp, x: Ref, axis: number): WebGpuStorage {
  const a = sizeOf(x.shape.slice(0, axis));
  const b = sizeOf(x.shape.slice(axis + 1));
  let r = x.shape[axis]!;
  if (a * b === 0) return dev.alloc(0, 'int32');
  let values = x.storage;
  let indices: WebGpuStorage | null = null;
  for (;;) {
    const pass = argPass(dev, op, values, indices, a, r, b);
    if (values !== x.storage) dev.free(values);
    if (indices !== null) dev.free(indices);
    if (pass.values === null) return pass.indices;
    values = pass.values;
    indices = pass.indices;
    r = pass.rp;
  }
}
