/**
 * Helpers that write gpu.js kernel sources and their constants.
 *
 * Kernel sources are fixed strings per kernel name, written for a fixed maximum rank (MAXR);
 * shapes and strides reach them as gpu.js `constants` (gpu.js bakes constants into the shader as
 * `const float`, so shapes are part of the compiled-kernel cache key). Tensors are flat on the
 * device: every kernel has a 1-D output [n] and computes its coordinates from `this.thread.x`.
 *
 * Integer arithmetic is done in float32, exact below 2^24 (wide.ts handles larger tensors).
 * Divisions that decompose an index are corrected by one step (wide.ts's `divmod`), so they stay
 * exact where a GPU's division is approximate.
 */
import type { Shape } from '@flint/core/backend';
import { divmod } from './wide.js';

export const MAXR = 6;

/**
 * Source lines that split the flat index `idx` over the MAXR dims `this.constants.<dims>0..5` and
 * accumulate, per input prefix p, `off_<p><tag> = sum c_k * this.constants.<p>k`.
 * With `coords`, also declares `<tag>c0` (`<tag>c1..c5` always are).
 */
export function genOffsets(idx: string, dims: string, inputs: readonly string[], tag = '', coords = false): string {
  let s = `let rem${tag} = ${idx};\n`;
  for (const p of inputs) s += `let off_${p}${tag} = 0;\n`;
  for (let k = MAXR - 1; k >= 1; k--) {
    s += divmod(`rem${tag}`, `this.constants.${dims}${k}`, `q${tag}${k}`, `${tag}c${k}`);
    s += `rem${tag} = q${tag}${k};\n`;
    for (const p of inputs) s += `off_${p}${tag} = off_${p}${tag} + ${tag}c${k} * this.constants.${p}${k};\n`;
  }
  for (const p of inputs) s += `off_${p}${tag} = off_${p}${tag} + rem${tag} * this.constants.${p}0;\n`;
  if (coords) s += `const ${tag}c0 = rem${tag};\n`;
  return s;
}

/** Constants `<prefix>0..5` from a list of at most MAXR numbers, left-padded with `fill`. */
export function padConstants(
  prefix: string,
  values: readonly number[],
  fill: number,
  into: Record<string, number>,
): void {
  if (values.length > MAXR)
    throw new Error(`@flint/backend-gpujs: rank ${values.length} exceeds the supported ${MAXR}.`);
  const off = MAXR - values.length;
  for (let k = 0; k < MAXR; k++) into[`${prefix}${k}`] = k < off ? fill : values[k - off]!;
}

/**
 * Merge dims of an output shape that every input walks contiguously, and drop size-1 dims:
 * `strides[j]` are element strides of input j per output dim (0 where broadcast). Returns at
 * least one dim. Keeps kernels at MAXR for any rank whose layout collapses that far.
 */
export function coalesce(
  shape: Shape,
  strides: readonly (readonly number[])[],
): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((st, j) => out[j]![last] === st[k]! * d)) {
      dims[last] = dims[last]! * d;
      for (let j = 0; j < strides.length; j++) out[j]![last] = strides[j]![k]!;
    } else {
      dims.push(d);
      for (let j = 0; j < strides.length; j++) out[j]!.push(strides[j]![k]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const o of out) o.push(0);
  }
  if (dims.length > MAXR) {
    throw new Error(
      `@flint/backend-gpujs: this layout needs ${dims.length} dims after merging contiguous ones; the gpu.js kernels support ${MAXR}.`,
    );
  }
  return { dims, strides: out };
}

/**
 * Constants for a strided walk: dims `d*`, and per input prefix its strides; `rank` is the number
 * of dims left after merging (what a wide kernel's walk is specialized for).
 */
export function stridedWalk(
  shape: Shape,
  inputs: Readonly<Record<string, readonly number[]>>,
): { c: Record<string, number>; rank: number } {
  const names = Object.keys(inputs);
  const { dims, strides } = coalesce(
    shape,
    names.map((n) => inputs[n]!),
  );
  const c: Record<string, number> = {};
  padConstants('d', dims, 1, c);
  names.forEach((n, j) => {
    padConstants(n, strides[j]!, 0, c);
  });
  return { c, rank: dims.length };
}

/** Constants for a strided walk (see stridedWalk). */
export function stridedConstants(
  shape: Shape,
  inputs: Readonly<Record<string, readonly number[]>>,
): Record<string, number> {
  return stridedWalk(shape, inputs).c;
}

/** The limb-split names of a strided walk's constants: dims and each input's strides. */
export function walkConstantNames(inputs: readonly string[]): string[] {
  const names: string[] = [];
  for (const p of ['d', ...inputs]) for (let k = 0; k < MAXR; k++) names.push(`${p}${k}`);
  return names;
}

/** Build a source once per key (wide sources are specialized by rank). */
export function memoSource(cache: Map<string, string>, key: string, build: () => string): string {
  let s = cache.get(key);
  if (s === undefined) {
    s = build();
    cache.set(key, s);
  }
  return s;
}

/** Float32 erf (|error| < 2e-7): Taylor series near 0, Numerical Recipes' erfc elsewhere. Sets `out`. */
export function erfCode(z: string, out: string): string {
  return `
let ${out} = 0;
const az_${out} = Math.abs(${z});
if (az_${out} < 0.5) {
  const z2_${out} = ${z} * ${z};
  ${out} = 1.1283791670955126 * ${z} * (1 + z2_${out} * (-0.3333333333333333 + z2_${out} * (0.1 + z2_${out} * (-0.023809523809523808 + z2_${out} * (0.004629629629629629 + z2_${out} * (-0.0007575757575757576 + z2_${out} * 0.00010683760683760684))))));
} else {
  const t_${out} = 1 / (1 + 0.5 * az_${out});
  const e_${out} = t_${out} * Math.exp(-az_${out} * az_${out} - 1.26551223 + t_${out} * (1.00002368 + t_${out} * (0.37409196 + t_${out} * (0.09678418 + t_${out} * (-0.18628806 + t_${out} * (0.27886807 + t_${out} * (-1.13520398 + t_${out} * (1.48851587 + t_${out} * (-0.82215223 + t_${out} * 0.17087277)))))))));
  ${out} = ${z} < 0 ? e_${out} - 1 : 1 - e_${out};
}
`;
}

/** expm1 accurate near 0 (Horner Taylor for |u| < 0.5). Sets `out`. */
export function expm1Code(u: string, out: string): string {
  return `
let ${out} = 0;
if (Math.abs(${u}) < 0.5) {
  ${out} = ${u} * (1 + ${u} * (0.5 + ${u} * (0.16666666666666666 + ${u} * (0.041666666666666664 + ${u} * (0.008333333333333333 + ${u} * (0.001388888888888889 + ${u} * (0.0001984126984126984 + ${u} * 0.0000248015873015873)))))));
} else {
  ${out} = Math.exp(${u}) - 1;
}
`;
}

/**
 * Mesa's llvmpipe (the software GL behind headless-gl here) ends a shader invocation's loops after
 * about 65535 iterations in all, silently. Kernels keep their per-thread trip count under this
 * budget (reductions and conv2dBackwardWeight run in passes) or refuse with `checkLoopBudget`.
 */
export const LOOP_BUDGET = 60000;

export function checkLoopBudget(engine: string, kernel: string, iterations: number, what: string): void {
  if (engine === 'headlessgl' && iterations > LOOP_BUDGET) {
    throw new Error(
      `@flint/backend-gpujs: ${kernel} would loop ${iterations} times per output element (${what}); ` +
        `software GL (Mesa llvmpipe) stops shader loops after 65535 iterations, so this size is not supported yet.`,
    );
  }
}

/**
 * Compensated summation (Knuth's TwoSum): `acc` += `v`, with the rounding error of each addition
 * collected in `comp`, so a float32 sum of n terms is accurate to a few ulps instead of ~n ulps.
 * Mesa's llvmpipe compiles shaders with reassociating float math and simplifies
 * `(acc + v) - acc` to `v`, which would cancel the compensation; multiplying by the uniform `one`
 * (always 1, unknown to the compiler) keeps each rounding step in place. `tag` keeps names unique.
 */
export function twoSumStep(acc: string, comp: string, v: string, tag = ''): string {
  return `const ts${tag} = (${acc} + ${v}) * one;
const tb${tag} = (ts${tag} - ${acc}) * one;
${comp} = ${comp} + ((${acc} - (ts${tag} - tb${tag})) + (${v} - tb${tag}));
${acc} = ts${tag};
`;
}

/** Returns a compensated sum: acc + comp, or acc alone once it is infinite or NaN (comp is NaN then). */
export function compensatedReturn(acc: string, comp: string): string {
  return `if (Math.abs(${acc}) <= 3.4028234663852886e38) { return ${acc} + ${comp}; }
return ${acc};`;
}
