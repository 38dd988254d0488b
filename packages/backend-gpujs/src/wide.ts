/**
 * Exact index arithmetic for tensors past 2^24 elements.
 *
 * gpu.js's JavaScript dialect computes every local variable in float32, whose integers are exact
 * only below 2^24: past that, a flat index such as 16777217 silently becomes 16777216. Kernels over
 * larger tensors ("wide" kernels) therefore hold an index as two float limbs, v = vH * 4096 + vL
 * with 0 <= vL < 4096, and keep every intermediate product below 2^24:
 *
 * - the thread index is split with integer operations gpu.js keeps in int (>>, *, -; gpu.js's own
 *   thread index is an int in GLSL and an i32 in wasm);
 * - an input is read as a 2-D view `a[vH][vL]` with rows of 4096 elements (or of one sample, see
 *   `rowView`): gpu.js computes `vL + 4096 * vH` in int itself;
 * - constants that can exceed 2^24 arrive pre-split from the host as `<name>H` / `<name>L`.
 *
 * The proofs of exactness below assume values < 2^30; tensors are limited to 2^28 elements.
 * Source snippets name a wide value `x` by its two variables `xH` and `xL`.
 */

/** float32 holds every integer below this exactly: plain (narrow) index arithmetic stays under it. */
export const FLOAT_EXACT = 2 ** 24;
/** The limb base of a wide index. */
export const LIMB = 4096;
/** The largest tensor this backend handles (GL: a 16384 x 16384 texture; wide arithmetic is exact to 2^30). */
export const MAX_ELEMENTS = 2 ** 28;

/** Add `<name>H` and `<name>L`, the limbs of constant `name`, for each name (the constants must be integers >= 0). */
export function withLimbs(c: Record<string, number>, names: Iterable<string>): Record<string, number> {
  for (const name of names) {
    const v = c[name];
    if (v === undefined) throw new Error(`@flint/backend-gpujs: internal: no constant '${name}' to split.`);
    c[`${name}H`] = Math.floor(v / LIMB);
    c[`${name}L`] = v % LIMB;
  }
  return c;
}

/** Constant names `<prefix>0..<prefix>(n-1)`. */
export function constantNames(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${prefix}${k}`);
}

/**
 * q = floor(v / d), r = v - q * d for a narrow integer v >= 0 and constant d >= 1: the float
 * quotient is off by at most one (GPU division is approximate), so one correction step makes it
 * exact below 2^24. (floor((v + 0.5) / d) is not: v + 0.5 is no float32 above 2^23.)
 */
export function divmod(v: string, d: string, q: string, r: string): string {
  return `let ${q} = Math.floor(${v} / ${d});
let ${r} = ${v} - ${q} * ${d};
if (${r} < 0) { ${q} = ${q} - 1; ${r} = ${r} + ${d}; }
if (${r} >= ${d}) { ${q} = ${q} + 1; ${r} = ${r} - ${d}; }
`;
}

/** Declares the wide value `v` = this.thread.x (exact for any thread index below 2^30). */
export function threadWide(v: string): string {
  // x >> 12 goes through float32 on WebGL 1 (off by one near multiples of 4096 above 2^24); the
  // remainder is int arithmetic, so one correction makes both limbs exact.
  return `let ${v}H = this.thread.x >> 12;
let ${v}L = this.thread.x - (this.thread.x >> 12) * 4096;
if (${v}L < 0) { ${v}L = ${v}L + 4096; ${v}H = ${v}H - 1; }
if (${v}L >= 4096) { ${v}L = ${v}L - 4096; ${v}H = ${v}H + 1; }
`;
}

/** Declares the wide value `v` from a narrow exact integer expression `x` (>= 0, < 2^24). */
export function fromNarrow(x: string, v: string): string {
  return `let ${v}H = Math.floor((${x}) / 4096);
let ${v}L = (${x}) - ${v}H * 4096;
`;
}

/** The narrow value of wide `v`, for a value known to be below 2^24. */
export function narrow(v: string): string {
  return `(${v}H * 4096 + ${v}L)`;
}

/** Declares the wide value `v` = 0. */
export function zeroWide(v: string): string {
  return `let ${v}H = 0;\nlet ${v}L = 0;\n`;
}

/** `this.constants.<name>H` / `L`. */
const cH = (name: string): string => `this.constants.${name}H`;
const cL = (name: string): string => `this.constants.${name}L`;

/** Brings vL back into [0, 4096) by carrying into vH (exact: a division by a power of two). */
function carry(v: string, tag: string): string {
  return `const cy${tag} = Math.floor(${v}L / 4096);
${v}L = ${v}L - cy${tag} * 4096;
${v}H = ${v}H + cy${tag};
`;
}

/**
 * Declares wide q = floor(v / d) and wide r = v mod d, for wide v < 2^30 and constant d >= 1
 * (given as limbs `<d>H`, `<d>L`). `tag` keeps the helper variables' names unique.
 */
export function divmodWide(v: string, d: string, q: string, r: string, tag: string): string {
  const dH = cH(d);
  const dL = cL(d);
  return `let ${q}H = 0;
let ${q}L = 0;
let ${r}H = 0;
let ${r}L = 0;
if (${dH} == 0) {
  ${divmod(`${v}H`, dL, `qa${tag}`, `ra${tag}`)}
  const t${tag} = ra${tag} * 4096 + ${v}L;
  ${divmod(`t${tag}`, dL, `qb${tag}`, `rb${tag}`)}
  ${q}H = qa${tag};
  ${q}L = qb${tag};
  ${r}L = rb${tag};
} else {
  let e${tag} = Math.floor((${v}H * 4096 + ${v}L) / (${dH} * 4096 + ${dL}));
  const eH${tag} = Math.floor(e${tag} / 4096);
  const eL${tag} = e${tag} - eH${tag} * 4096;
  ${r}H = ${v}H - e${tag} * ${dH} - eH${tag} * ${dL};
  ${r}L = ${v}L - eL${tag} * ${dL};
  ${carry(r, tag)}
  if (${r}H < 0) {
    e${tag} = e${tag} - 1;
    ${r}H = ${r}H + ${dH};
    ${r}L = ${r}L + ${dL};
    if (${r}L >= 4096) { ${r}L = ${r}L - 4096; ${r}H = ${r}H + 1; }
  }
  if (${r}H > ${dH} || (${r}H == ${dH} && ${r}L >= ${dL})) {
    e${tag} = e${tag} + 1;
    ${r}H = ${r}H - ${dH};
    ${r}L = ${r}L - ${dL};
    if (${r}L < 0) { ${r}L = ${r}L + 4096; ${r}H = ${r}H - 1; }
  }
  ${q}H = Math.floor(e${tag} / 4096);
  ${q}L = e${tag} - ${q}H * 4096;
}
`;
}

/** o += c * s for wide o and c and constant s (limbs `<s>H`, `<s>L`); needs c * s < 2^30. */
export function madWide(o: string, c: string, s: string, tag: string): string {
  return `${o}H = ${o}H + ${c}H * ${cH(s)} * 4096 + ${c}H * ${cL(s)} + ${c}L * ${cH(s)};
${o}L = ${o}L + ${c}L * ${cL(s)};
${carry(o, tag)}`;
}

/** o += a for wide o and a. */
export function addWide(o: string, a: string): string {
  return `${o}H = ${o}H + ${a}H;
${o}L = ${o}L + ${a}L;
if (${o}L >= 4096) { ${o}L = ${o}L - 4096; ${o}H = ${o}H + 1; }
`;
}

/** o += s for wide o and constant s (limbs). */
export function addConstWide(o: string, s: string): string {
  return `${o}H = ${o}H + ${cH(s)};
${o}L = ${o}L + ${cL(s)};
if (${o}L >= 4096) { ${o}L = ${o}L - 4096; ${o}H = ${o}H + 1; }
`;
}

/** The condition wide a < constant c (limbs). */
export function ltConstWide(a: string, c: string): string {
  return `(${a}H < ${cH(c)} || (${a}H == ${cH(c)} && ${a}L < ${cL(c)}))`;
}

/**
 * A strided walk in wide arithmetic: splits wide `idx` over the last `rank` of the MAXR dims
 * `<dims>0..5` (constants with limbs) and accumulates, per input prefix p, the wide offset
 * `off_<p><tag>` = sum c_k * `<p>k`. Declares the wide coordinates `<tag>c<k>` of the walked dims.
 */
export function genOffsetsWide(
  idx: string,
  dims: string,
  inputs: readonly string[],
  maxRank: number,
  rank: number,
  tag = '',
): string {
  const first = maxRank - rank;
  let s = `let rem${tag}H = ${idx}H;\nlet rem${tag}L = ${idx}L;\n`;
  for (const p of inputs) s += zeroWide(`off_${p}${tag}`);
  for (let k = maxRank - 1; k >= first; k--) {
    const c = `${tag}c${k}`;
    if (k > first) {
      s += divmodWide(`rem${tag}`, `${dims}${k}`, `q${tag}${k}`, c, `_${tag}${k}`);
      s += `rem${tag}H = q${tag}${k}H;\nrem${tag}L = q${tag}${k}L;\n`;
    } else {
      s += `let ${c}H = rem${tag}H;\nlet ${c}L = rem${tag}L;\n`;
    }
    for (const p of inputs) s += madWide(`off_${p}${tag}`, c, `${p}${k}`, `_${p}${tag}${k}m`);
  }
  return s;
}

/** o -= s for wide o and constant s (limbs), for o >= s. */
export function subConstWide(o: string, s: string): string {
  return `${o}H = ${o}H - ${cH(s)};
${o}L = ${o}L - ${cL(s)};
if (${o}L < 0) { ${o}L = ${o}L + 4096; ${o}H = ${o}H - 1; }
`;
}
