/**
 * WGSL building blocks shared by the kernel files: bindings, the parameter uniform, the entry point
 * over a 2-D workgroup grid, strided index walks, and float helpers that do not rely on the shader
 * compiler keeping NaN/Infinity semantics (bit tests instead of x != x).
 */
import type { DType } from '@flint/core/backend';
import { PARAM_WORDS } from './device.js';

export type WgslType = 'f32' | 'i32' | 'u32';

/** Element type of a dtype's storage: float32 f32, int32 i32, bool u32 (0/1). */
export function wgslType(dtype: DType): WgslType {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** A storage binding: name and element type (an output may be atomic<u32> / atomic<i32>). */
export type Binding = readonly [name: string, type: WgslType | 'atomic<u32>' | 'atomic<i32>'];

/**
 * Declarations: read-only inputs at bindings 0.., outputs after them, the parameter uniform last,
 * and pu/pi/pf(k) reading parameter word k as u32/i32/f32.
 */
export function bindings(inputs: readonly Binding[], outputs: readonly Binding[]): string {
  const lines: string[] = [];
  let b = 0;
  for (const [name, type] of inputs)
    lines.push(`@group(0) @binding(${b++}) var<storage, read> ${name}: array<${type}>;`);
  for (const [name, type] of outputs)
    lines.push(`@group(0) @binding(${b++}) var<storage, read_write> ${name}: array<${type}>;`);
  lines.push(`struct Params { v: array<vec4<u32>, ${PARAM_WORDS / 4}> }`);
  lines.push(`@group(0) @binding(${b}) var<uniform> P: Params;`);
  lines.push('fn pu(k: u32) -> u32 { return P.v[k >> 2u][k & 3u]; }');
  lines.push('fn pi(k: u32) -> i32 { return bitcast<i32>(pu(k)); }');
  lines.push('fn pf(k: u32) -> f32 { return bitcast<f32>(pu(k)); }');
  return `${lines.join('\n')}\n`;
}

/**
 * An elementwise entry point: one invocation per element over a 2-D grid of workgroups; `i` is the
 * flat element index, parameter word 0 the element count.
 */
export function elementwiseMain(workgroupSize: number, body: string): string {
  return `@compute @workgroup_size(${workgroupSize})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${workgroupSize}u + lid;
  if (i >= pu(0u)) { return; }
${body}
}
`;
}

/** Parameter words for a dispatch, built on the host. */
export class Params {
  private readonly words: number[] = [];
  private static readonly f32 = new Float32Array(1);
  private static readonly u32 = new Uint32Array(Params.f32.buffer);

  get length(): number {
    return this.words.length;
  }

  u(v: number): this {
    this.words.push(v >>> 0);
    return this;
  }

  i(v: number): this {
    this.words.push(v | 0);
    return this;
  }

  f(v: number): this {
    Params.f32[0] = v;
    this.words.push(Params.u32[0]!);
    return this;
  }

  us(vs: readonly number[]): this {
    for (const v of vs) this.u(v);
    return this;
  }

  build(): Uint32Array {
    return Uint32Array.from(this.words);
  }
}

/**
 * A shape walk after merging dims that every operand steps through contiguously: fewer dims means
 * less index arithmetic per element and fewer shader variants (the rank is the variant).
 */
export interface Walk {
  readonly shape: number[];
  /** Per operand, its strides over `shape` (0 where it is broadcast). */
  readonly strides: number[][];
}

export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Walk {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    // The previous (outer) dim merges with this one when every operand's outer stride is this
    // dim's stride times its size: the pair is then one dim of size outer·size and this stride.
    const mergeable = last >= 0 && strides.every((s, k) => s[d]! * size === outStrides[k]![last]);
    if (mergeable) outShape[last] = outShape[last]! * size;
    else outShape.push(size);
    for (let k = 0; k < strides.length; k++) {
      const list = outStrides[k]!;
      if (mergeable) list[last] = strides[k]![d]!;
      else list.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * WGSL that turns flat index `idx` into offsets `off_<name>` for each operand of a walk of rank
 * `rank`, reading dims from parameter words `dimsAt..` and operand k's strides from `stridesAt[k]..`.
 */
export function walkOffsets(
  idx: string,
  rank: number,
  dimsAt: number,
  operands: readonly { readonly name: string; readonly stridesAt: number }[],
): string {
  const lines = operands.map((o) => `  var off_${o.name} = 0u;`);
  if (rank === 0) return `${lines.join('\n')}\n`;
  lines.push(`  var rem = ${idx};`);
  for (let d = rank - 1; d >= 0; d--) {
    if (d > 0) {
      lines.push(`  { let dim = pu(${dimsAt + d}u); let c = rem % dim; rem = rem / dim;`);
    } else {
      lines.push('  { let c = rem;');
    }
    for (const o of operands) lines.push(`    off_${o.name} += c * pu(${o.stridesAt + d}u);`);
    lines.push('  }');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Float helpers. NaN and infinities are tested on the bits: shader compilers may fold x != x to
 * false, and WGSL forbids non-finite constant expressions, so ±Infinity and NaN are made at run time
 * from a `var` the compiler does not evaluate as a constant.
 */
export const FLOAT_HELPERS = `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn f_bits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
fn f_inf() -> f32 { return f_bits(0x7f800000u); }
fn f_nan() -> f32 { return f_bits(0x7fc00000u); }
`;
