/**
 * Host values -> typed arrays for upload, shared by the creation functions (tensor, fromArray,
 * full, ...) and the Tensor methods that create (newTensor, newFull, ...). Pure: no tensors here.
 *
 * dtype names: Flint computes in 32 bits, so PyTorch's `int64` (torch.long) is stored as int32 and
 * `float64` (torch.double) as float32. Host values that do not fit int32 are refused (PyTorch's
 * int64 would hold them; a silent wrap would change them).
 */
import type { DataArray, DType } from '../backend/kernels.js';
import { arrayFor, formatShape } from '../backend/shape.js';

/** A dtype as a program may spell it: Flint's three, or PyTorch's 64-bit names for them. */
export type DTypeName = DType | 'int64' | 'float64';

const DTYPE_NAMES: Readonly<Record<DTypeName, DType>> = {
  float32: 'float32',
  int32: 'int32',
  bool: 'bool',
  int64: 'int32',
  float64: 'float32',
};

export function isDtypeName(value: unknown): value is DTypeName {
  return typeof value === 'string' && Object.hasOwn(DTYPE_NAMES, value);
}

/** int64 -> int32 and float64 -> float32; a name Flint does not know is an error naming the choices. */
export function resolveDtype(name: DTypeName, op: string): DType;
export function resolveDtype(name: DTypeName | undefined, op: string): DType | undefined;
export function resolveDtype(name: DTypeName | undefined, op: string): DType | undefined {
  if (name === undefined) return undefined;
  if (!isDtypeName(name)) {
    throw new Error(
      `${op}: unknown dtype '${String(name)}' (Flint has float32, int32 and bool; int64 maps to int32 and float64 to float32)`,
    );
  }
  return DTYPE_NAMES[name];
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Truncate toward zero into int32, refusing values outside its range (no silent wrap). */
export function toInt32(value: number, op: string, where: () => string): number {
  const t = Math.trunc(value);
  if (!(t >= INT32_MIN && t <= INT32_MAX)) {
    throw new Error(
      `${op}: value ${value}${where()} cannot be stored as int32 (range [${INT32_MIN}, ${INT32_MAX}]; Flint stores int64 as int32)`,
    );
  }
  return t;
}

/** Convert host numbers to the typed array of `dtype` (bool: x != 0; int32: truncated, range-checked). */
export function convertArray(values: ArrayLike<number>, dtype: DType, op: string): DataArray {
  const out = arrayFor(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else if (dtype === 'int32')
    for (let i = 0; i < values.length; i++) out[i] = toInt32(values[i]!, op, () => ` at flat index ${i}`);
  else out.set(values as ArrayLike<number>);
  return out;
}

/** Plain numbers and booleans (nested), or a typed array (one dimension). */
export type NestedHostArray = number | boolean | NestedHostArray[];
export type HostData =
  | NestedHostArray
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Uint8ClampedArray;

export function dtypeOfArray(values: ArrayLike<number>): DType {
  if (values instanceof Float32Array || values instanceof Float64Array) return 'float32';
  return 'int32';
}

export interface HostValues {
  readonly values: DataArray;
  readonly shape: number[];
  readonly dtype: DType;
}

/**
 * torch.tensor's reading of host data: nested arrays give float32 (bool for booleans) unless
 * `dtype` says otherwise; typed arrays keep their kind (floats -> float32, integers -> int32).
 */
export function hostValues(data: HostData, dtype: DType | undefined, op: string): HostValues {
  if (ArrayBuffer.isView(data)) {
    const arr = data as unknown as ArrayLike<number>;
    const dt = dtype ?? dtypeOfArray(arr);
    return { values: convertArray(arr, dt, op), shape: [arr.length], dtype: dt };
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: (number | boolean)[] = [];
  const paths: number[][] = [];
  const walk = (v: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (Array.isArray(v))
        throw new Error(`${op}: too many dimensions at index [${path.join(', ')}] (expected ${formatShape(shape)})`);
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new Error(`${op}: expected numbers or booleans, got ${typeof v} at index [${path.join(', ')}]`);
      }
      flat.push(v);
      paths.push(path);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(
        `${op}: expected sequence of length ${shape[depth]} at dim ${depth} (got ${Array.isArray(v) ? v.length : typeof v}) at index [${path.join(', ')}]`,
      );
    }
    v.forEach((item, i) => {
      walk(item, depth + 1, [...path, i]);
    });
  };
  walk(data, 0, []);
  const inferred: DType = flat.length > 0 && typeof flat[0] === 'boolean' ? 'bool' : 'float32';
  const dt = dtype ?? inferred;
  const values = arrayFor(dt, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    values[i] =
      dt === 'bool'
        ? n !== 0
          ? 1
          : 0
        : dt === 'int32'
          ? toInt32(n, op, () => ` at index [${paths[i]!.join(', ')}]`)
          : n;
  }
  return { values, shape, dtype: dt };
}
