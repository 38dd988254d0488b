/** torch.* functions (the Tensor methods as free functions, plus cat/stack/where...). */
import { Tensor, type MaxMinResult, type TensorOrScalar } from '../tensor/tensor.js';
import * as ew from './elementwise.js';
import { nonzero } from './datadep.js';
import * as red from './reduce.js';
import * as lay from './layout.js';
import * as idx from './indexing.js';
import * as sc from './scatter.js';
import * as subscript from './subscript.js';
import { matmul as matmulOp } from './matmul.js';
import * as math from './math.js';
import * as linalg from './linalg.js';
import * as shp from './shape.js';
import { einsum as einsumOp } from './einsum.js';
import * as sorting from './sorting.js';
import * as scan from './scan.js';

export const add = (a: TensorOrScalar, b: TensorOrScalar, alpha?: ew.Alpha): Tensor => ew.add(a, b, alpha);
export const sub = (a: TensorOrScalar, b: TensorOrScalar, alpha?: ew.Alpha): Tensor => ew.sub(a, b, alpha);
export const mul = ew.mul;
/** torch.div, with PyTorch's rounding_mode keyword as `{ roundingMode: 'trunc' | 'floor' }`. */
export const div = (a: TensorOrScalar, b: TensorOrScalar, options?: math.DivOptions): Tensor =>
  options?.roundingMode == null ? ew.div(a, b) : math.divide(a, b, options);
export const pow = ew.pow;
export const maximum = ew.maximum;
export const minimum = ew.minimum;
export const neg = ew.neg;
export const abs = ew.abs;
export const sign = ew.sign;
export const exp = ew.exp;
export const log = ew.log;
export const sqrt = ew.sqrt;
export const rsqrt = ew.rsqrt;
export const reciprocal = ew.reciprocal;
export const square = ew.square;
export const sin = ew.sin;
export const cos = ew.cos;
export const tanh = ew.tanh;
export const sigmoid = ew.sigmoid;
export const relu = ew.relu;
export const erf = ew.erf;
export const floor = ew.floor;
export const ceil = ew.ceil;
export const round = ew.round;
export const log1p = ew.log1p;
export const expm1 = ew.expm1;
export const clamp = ew.clamp;
/**
 * torch.where(cond, x, y): x where cond, else y; torch.where(cond) alone is
 * nonzero(cond, { asTuple: true }) (one int32 index tensor per dim; reads cond back).
 */
export function where(cond: Tensor): Tensor[];
export function where(cond: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor;
export function where(cond: Tensor, x?: TensorOrScalar, y?: TensorOrScalar): Tensor | Tensor[] {
  if (x === undefined && y === undefined) return nonzero(cond, { asTuple: true });
  if (x === undefined || y === undefined)
    throw new TypeError('where(): expected where(condition) or where(condition, x, y), got where(condition, x)');
  return ew.where(cond, x, y);
}
export const eq = ew.eq;
export const ne = ew.ne;
export const lt = ew.lt;
export const le = ew.le;
export const gt = ew.gt;
export const ge = ew.ge;
export const logicalNot = ew.logicalNot;
export const logicalAnd = ew.logicalAnd;
export const maskedFill = ew.maskedFill;
export const sum = red.sum;
export const mean = red.mean;
export const prod = red.prod;
export const amax = red.amax;
export const amin = red.amin;
export const argmax = red.argmax;
export const argmin = red.argmin;
export const variance = red.variance;
export { variance as var_ };
export const std = red.std;
export const logsumexp = red.logsumexp;
export const softmax = red.softmax;
export const logSoftmax = red.logSoftmax;
export const norm = (x: Tensor, p = 2, dim?: number | readonly number[] | null, keepdim = false): Tensor =>
  red.norm(x, p, dim, keepdim);
export const matmul = matmulOp;
export const reshape = lay.reshape;
export const flatten = lay.flatten;
export const squeeze = lay.squeeze;
export const unsqueeze = lay.unsqueeze;
export const transpose = lay.transpose;
export const permute = lay.permute;
export const cat = lay.cat;
export const concat = lay.cat;
export const stack = lay.stack;
export const split = lay.split;
export const chunk = lay.chunk;
export const unbind = lay.unbind;
export const gather = idx.gather;
export const scatterAdd = idx.scatterAdd;
export const indexSelect = idx.indexSelect;
export type { IndexSpec } from './subscript.js';
export type { ScatterMode, ScatterReduceMode, ScatterOptions, ScatterReduceOptions } from './scatter.js';
export const scatter = sc.scatter;
export const scatterReduce = sc.scatterReduce;
export const indexAdd = sc.indexAdd;
export const indexCopy = sc.indexCopy;
export const indexFill = sc.indexFill;
/** torch.index_put (out of place): indices are int32/bool tensors (or null for `:`), one per leading dim. */
export const indexPut = (x: Tensor, indices: readonly (Tensor | null)[], values: Tensor | number, accumulate = false) =>
  subscript.indexPut(x, indices, values, accumulate);
export const maskedSelect = subscript.maskedSelect;
export const take = subscript.take;
export const narrow = subscript.narrow;
export const select = lay.select;
export const clone = lay.clone;
export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

// ------------------------------------------------------------------ composed ops (math, linalg, shape, einsum)
export type { ValueOption, CloseOptions } from './math.js';
export type { AddmmOptions } from './linalg.js';
export type { MeshgridOptions } from './shape.js';
export type { NewTensorOptions, GeneratorOption } from './creation-like.js';
export type { DTypeName } from '../tensor/host-data.js';
export const tan = math.tan;
export const asin = math.asin;
export const acos = math.acos;
export const atan = math.atan;
export const atan2 = math.atan2;
export const sinh = math.sinh;
export const cosh = math.cosh;
export const log2 = math.log2;
export const log10 = math.log10;
export const trunc = math.trunc;
export const frac = math.frac;
export const remainder = math.remainder;
export const fmod = math.fmod;
export const floorDivide = math.floorDivide;
export const isnan = math.isnan;
export const isinf = math.isinf;
export const isfinite = math.isfinite;
export const nanToNum = math.nanToNum;
/** Alias of clamp. */
export const clip = ew.clamp;
export const lerp = math.lerp;
export const addcmul = math.addcmul;
export const addcdiv = math.addcdiv;
export const logicalOr = math.logicalOr;
export const logicalXor = math.logicalXor;
export const isclose = math.isclose;
export const allclose = math.allclose;
export const equal = math.equal;
export const mm = linalg.mm;
export const bmm = linalg.bmm;
export const mv = linalg.mv;
export const dot = linalg.dot;
export const outer = linalg.outer;
export const addmm = linalg.addmm;
export const cross = linalg.cross;
export const cdist = linalg.cdist;
export const trace = linalg.trace;
export const diag = linalg.diag;
export const diagonal = linalg.diagonal;
export const tril = linalg.tril;
export const triu = linalg.triu;
export const flip = shp.flip;
export const roll = shp.roll;
export const hstack = shp.hstack;
export const vstack = shp.vstack;
export const tile = shp.tile;
export const repeatInterleave = shp.repeatInterleave;
export const meshgrid = shp.meshgrid;
export const broadcastTo = shp.broadcastTo;
export const movedim = shp.movedim;
/** Alias of movedim. */
export const moveaxis = shp.movedim;
export const t = shp.t;
export const einsum = einsumOp;

// ------------------------------------------------------------------ sorting and scans (sorting.ts, scan.ts)
export type { SortOptions, TopkOptions } from './sorting.js';
export type { CumulativeOptions } from './scan.js';
export const sort = sorting.sort;
export const argsort = sorting.argsort;
export const msort = sorting.msort;
export const topk = sorting.topk;
export const kthvalue = sorting.kthvalue;
export const median = sorting.median;
export const nanmedian = sorting.nanmedian;
export const mode = sorting.mode;
export const cumsum = scan.cumsum;
export const cumprod = scan.cumprod;
export const cummax = scan.cummax;
export const cummin = scan.cummin;

/** torch.max: max(x) the largest value; max(x, dim, keepdim) { values, indices }; max(x, other) is maximum. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): MaxMinResult;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | MaxMinResult {
  if (dimOrOther === undefined) return x.max();
  if (dimOrOther instanceof Tensor) return ew.maximum(x, dimOrOther);
  return x.max(dimOrOther, keepdim);
}
/** torch.min: min(x), min(x, dim, keepdim) or min(x, other) (minimum). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): MaxMinResult;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dimOrOther?: number | Tensor, keepdim = false): Tensor | MaxMinResult {
  if (dimOrOther === undefined) return x.min();
  if (dimOrOther instanceof Tensor) return ew.minimum(x, dimOrOther);
  return x.min(dimOrOther, keepdim);
}

// ------------------------------------------------------------------ data-dependent shapes and sampling (datadep.ts, sampling.ts)
export type {
  NonzeroOptions,
  UniqueOptions,
  UniqueConsecutiveOptions,
  BincountOptions,
  HistcOptions,
} from './datadep.js';
export type { SamplingOptions, SampleCreationOptions, MultinomialOptions } from './sampling.js';
export { nonzero, argwhere, unique, uniqueConsecutive, bincount, histc } from './datadep.js';
export { normal, multinomial } from './sampling.js';
