/**
 * Pure binary elementwise ops with NumPy broadcasting, and `where`.
 *
 * Each op is an inner loop over one run (`BinaryLoop`); `broadcastBinary` splits the broadcast
 * iteration into the longest contiguous runs (util.forEachRun), so the per-op function is called
 * once per run, not per element, and every op keeps a monomorphic, tight loop.
 */
import type { DataArray, Shape } from '@flint/core/backend';
import { binaryF32Simd, gtScalarF32Simd, type SimdBinaryOp, whereF32Simd } from './elementwise-wasm.js';
import { broadcastStrides, forEachRun, sizeOf, stridesOf, take, takeF32, takeLike } from './util.js';

/** out[oo+i] = f(a[ao + i*as], b[bo + i*bs]) for i < n. */
type BinaryLoop = (
  a: DataArray,
  ao: number,
  as: number,
  b: DataArray,
  bo: number,
  bs: number,
  out: DataArray,
  oo: number,
  n: number,
) => void;

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function broadcastBinary(
  loop: BinaryLoop,
  a: DataArray,
  aShape: Shape,
  b: DataArray,
  bShape: Shape,
  outShape: Shape,
  out: DataArray,
): DataArray {
  const n = sizeOf(outShape);
  if (n === 0) return out;
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    loop(a, 0, 1, b, 0, 1, out, 0, n);
    return out;
  }
  forEachRun(
    outShape,
    [stridesOf(outShape), broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)],
    (offs, len, inner) => loop(a, offs[1]!, inner[1]!, b, offs[2]!, inner[2]!, out, offs[0]!, len),
  );
  return out;
}

// ---- loops ----
const addLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! + b[bo]!;
};
const subLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! - b[bo]!;
};
const mulLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! * b[bo]!;
};
const imulLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = Math.imul(a[ao]!, b[bo]!);
};
const divLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! / b[bo]!;
};
/**
 * IEEE/C pow: Math.pow differs from C (and PyTorch) in pow(1, y) = 1 for every y, NaN included,
 * and pow(-1, +-inf) = 1; JavaScript returns NaN for both.
 */
function powIeee(x: number, y: number): number {
  if (x === 1) return 1;
  const r = x ** y;
  if (Number.isNaN(r) && x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return r;
}
const powLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = powIeee(a[ao]!, b[bo]!);
};
const ipowLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = intPow(a[ao]!, b[bo]!);
};
const maxLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = Math.max(a[ao]!, b[bo]!);
};
const minLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = Math.min(a[ao]!, b[bo]!);
};
const eqLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! === b[bo]! ? 1 : 0;
};
const neLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! !== b[bo]! ? 1 : 0;
};
const ltLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! < b[bo]! ? 1 : 0;
};
const leLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! <= b[bo]! ? 1 : 0;
};
const gtLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! > b[bo]! ? 1 : 0;
};
const geLoop: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! >= b[bo]! ? 1 : 0;
};

// ---- float32 loops ----
// Separate function literals, only ever called with Float32Arrays, so V8 keeps their element
// accesses monomorphic (the shared loops above also see Int32Array and Uint8Array and go
// megamorphic). Contiguous and scalar-operand runs get their own branch-free inner loops.

const addF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! + b[bo + i]!;
  else if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! + s;
  } else if (as === 0 && bs === 1) {
    const s = a[ao]!;
    for (let i = 0; i < n; i++) o[oo + i] = s + b[bo + i]!;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! + b[bo]!;
};
const subF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! - b[bo + i]!;
  else if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! - s;
  } else if (as === 0 && bs === 1) {
    const s = a[ao]!;
    for (let i = 0; i < n; i++) o[oo + i] = s - b[bo + i]!;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! - b[bo]!;
};
const mulF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! * b[bo + i]!;
  else if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! * s;
  } else if (as === 0 && bs === 1) {
    const s = a[ao]!;
    for (let i = 0; i < n; i++) o[oo + i] = s * b[bo + i]!;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! * b[bo]!;
};
const divF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! / b[bo + i]!;
  else if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! / s;
  } else if (as === 0 && bs === 1) {
    const s = a[ao]!;
    for (let i = 0; i < n; i++) o[oo + i] = s / b[bo + i]!;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! / b[bo]!;
};
const maxF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = Math.max(a[ao]!, b[bo]!);
};
const minF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = Math.min(a[ao]!, b[bo]!);
};
/**
 * o[i] = x[i] > 0 on float32 bit patterns, branch-free (ReLU's derivative is `y > 0`; the compare
 * mispredicts on real activations and ran ~5x slower). x > 0 exactly when the bits as int32 lie
 * in [1, 2^31 - 2^23] (+min subnormal .. +inf): -0, the negatives and every NaN fall outside.
 */
function gtZeroBits(x: Int32Array, o: DataArray, oo: number): void {
  for (let i = 0; i < x.length; i++) {
    const u = (x[i]! - 1) | 0;
    o[oo + i] = ~(u >> 31) & (((u - 2139095040) | 0) >> 31) & 1;
  }
}
const gtF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    if (s === 0 && n >= 64) gtZeroBits(new Int32Array(a.buffer, a.byteOffset + ao * 4, n), o, oo);
    else for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! > s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! > b[bo]! ? 1 : 0;
};
const ltF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! < s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! < b[bo]! ? 1 : 0;
};
const geF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! >= s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! >= b[bo]! ? 1 : 0;
};
const leF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! <= s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! <= b[bo]! ? 1 : 0;
};
const eqF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! === s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! === b[bo]! ? 1 : 0;
};
const neF32: BinaryLoop = (a, ao, as, b, bo, bs, o, oo, n) => {
  if (as === 1 && bs === 0) {
    const s = b[bo]!;
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i]! !== s ? 1 : 0;
  } else for (let i = 0; i < n; i++, ao += as, bo += bs) o[oo + i] = a[ao]! !== b[bo]! ? 1 : 0;
};

/** Integer power with int32 wrap-around; negative exponents give 1/x truncated (0 unless |x| = 1). */
function intPow(base: number, e: number): number {
  if (e < 0) return base === 1 ? 1 : base === -1 ? (e % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base | 0;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e >>>= 1;
  }
  return result;
}

type BinaryImpl = (a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, outShape: Shape) => DataArray;

function arithmetic(
  floatLoop: BinaryLoop,
  intLoop: BinaryLoop = floatLoop,
  f32Loop?: BinaryLoop,
  simd?: SimdBinaryOp,
): BinaryImpl {
  return (a, aShape, b, bShape, outShape) => {
    if (simd !== undefined && a instanceof Float32Array && b instanceof Float32Array) {
      const out = takeF32(sizeOf(outShape));
      if (binaryF32Simd(simd, a, aShape, b, bShape, outShape, out)) return out;
      return broadcastBinary(f32Loop ?? floatLoop, a, aShape, b, bShape, outShape, out);
    }
    return broadcastBinary(
      f32Loop !== undefined && a instanceof Float32Array && b instanceof Float32Array
        ? f32Loop
        : a instanceof Int32Array
          ? intLoop
          : floatLoop,
      a,
      aShape,
      b,
      bShape,
      outShape,
      takeLike(a, sizeOf(outShape)),
    );
  };
}
function comparison(
  loop: BinaryLoop,
  f32Loop: BinaryLoop,
  scalarSimd?: (x: Float32Array, s: number, out: Uint8Array) => boolean,
): (a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, outShape: Shape) => Uint8Array {
  return (a, aShape, b, bShape, outShape) => {
    const out = take('bool', sizeOf(outShape)) as Uint8Array;
    const f32 = a instanceof Float32Array && b instanceof Float32Array;
    if (f32 && scalarSimd !== undefined && b.length === 1 && a.length === out.length && scalarSimd(a, b[0]!, out))
      return out;
    return broadcastBinary(f32 ? f32Loop : loop, a, aShape, b, bShape, outShape, out) as Uint8Array;
  };
}

export const add = arithmetic(addLoop, addLoop, addF32, 'add');
export const sub = arithmetic(subLoop, subLoop, subF32, 'sub');
export const mul = arithmetic(mulLoop, imulLoop, mulF32, 'mul');
export const div = arithmetic(divLoop, divLoop, divF32, 'div');
export const pow = arithmetic(powLoop, ipowLoop);
export const maximum = arithmetic(maxLoop, maxLoop, maxF32);
export const minimum = arithmetic(minLoop, minLoop, minF32);
export const eq = comparison(eqLoop, eqF32);
export const ne = comparison(neLoop, neF32);
export const lt = comparison(ltLoop, ltF32);
export const le = comparison(leLoop, leF32);
export const gt = comparison(gtLoop, gtF32, gtScalarF32Simd);
export const ge = comparison(geLoop, geF32);

/** cond ? a : b with all three broadcast to outShape; the result has a's dtype. */
export function where(
  cond: Uint8Array,
  condShape: Shape,
  a: DataArray,
  aShape: Shape,
  b: DataArray,
  bShape: Shape,
  outShape: Shape,
): DataArray {
  const out = takeLike(a, sizeOf(outShape));
  if (a instanceof Float32Array && b instanceof Float32Array && whereF32Simd(cond, a, b, out as Float32Array))
    return out;
  forEachRun(
    outShape,
    [
      stridesOf(outShape),
      broadcastStrides(condShape, outShape),
      broadcastStrides(aShape, outShape),
      broadcastStrides(bShape, outShape),
    ],
    (offs, n, inner) => {
      let oo = offs[0]!,
        co = offs[1]!,
        ao = offs[2]!,
        bo = offs[3]!;
      const cs = inner[1]!,
        as = inner[2]!,
        bs = inner[3]!;
      for (let i = 0; i < n; i++, oo++, co += cs, ao += as, bo += bs) out[oo] = cond[co] ? a[ao]! : b[bo]!;
    },
  );
  return out;
}
