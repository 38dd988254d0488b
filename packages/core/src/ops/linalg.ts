/**
 * Linear algebra composed from matmul, slices and where, with PyTorch's shape rules and errors:
 * mm, bmm, mv, dot, outer, addmm, cross, cdist, trace, diag, diagonal, tril, triu.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape, tryBroadcastShapes } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { where } from './elementwise.js';
import { cat, normalizeDim, permute, reshape, slice } from './layout.js';
import { matmul, matmulRaw } from './matmul.js';
import { checkProductDtypes } from './int-matmul.js';
import { amax, sumToShape } from './reduce.js';
import { logicalOr, torchTypeName } from './math.js';
import { castNoGrad, commonBackend, constant, output, requireFloat } from './util.js';
import { op, recordGrad } from './op.js';

const fmt = formatShape;

function sameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new Error(
      `${op}: expected both operands to have the same dtype, but found ${torchTypeName(a.dtype)} and ${torchTypeName(b.dtype)}`,
    );
  }
}

/** torch.mm: 2-D @ 2-D, no broadcasting. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new Error(`mm: self must be a matrix (got a ${a.ndim}-D tensor of shape ${fmt(a.shape)})`);
  if (b.ndim !== 2) throw new Error(`mm: mat2 must be a matrix (got a ${b.ndim}-D tensor of shape ${fmt(b.shape)})`);
  if (a.shape[1] !== b.shape[0]) {
    throw new Error(
      `mm: mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`,
    );
  }
  sameDtype('mm', a, b);
  checkProductDtypes('mm', 'addmm_impl_cpu_', a, b);
  return matmul(a, b);
}

/** torch.bmm: [B, n, m] @ [B, m, p], no broadcasting of the batch. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3) throw new Error(`bmm: batch1 must be a 3D tensor (got shape ${fmt(a.shape)})`);
  if (b.ndim !== 3) throw new Error(`bmm: batch2 must be a 3D tensor (got shape ${fmt(b.shape)})`);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(
      `bmm: Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}]. (shapes ${fmt(a.shape)} and ${fmt(b.shape)})`,
    );
  }
  sameDtype('bmm', a, b);
  checkProductDtypes('bmm', 'bmm', a, b);
  return matmul(a, b);
}

/** torch.mv: matrix [n, m] @ vector [m]. */
export function mv(mat: Tensor, vec: Tensor): Tensor {
  if (mat.ndim !== 2 || vec.ndim !== 1) {
    throw new Error(
      `mv: vector + matrix @ vector expected: a 2-D matrix and a 1-D vector, got shapes ${fmt(mat.shape)} and ${fmt(vec.shape)}`,
    );
  }
  if (mat.shape[1] !== vec.shape[0])
    throw new Error(`mv: size mismatch, matrix ${fmt(mat.shape)} cannot multiply vector ${fmt(vec.shape)}`);
  sameDtype('mv', mat, vec);
  checkProductDtypes('mv', 'addmv_impl_cpu', mat, vec);
  return matmul(mat, vec);
}

/** torch.dot (and torch.inner of vectors): 1-D, same length, same dtype; integers sum exactly. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new Error(
      `dot: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors (shapes ${fmt(a.shape)} and ${fmt(b.shape)})`,
    );
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(
      `dot: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  commonBackend('dot', [a, b]);
  if (a.dtype !== b.dtype) {
    throw new Error(
      `dot: expected both vectors to have same dtype, but found ${torchTypeName(a.dtype)} and ${torchTypeName(b.dtype)}`,
    );
  }
  checkProductDtypes('dot', 'dot', a, b);
  if (a.dtype === 'float32') return matmul(a, b);
  // int32: elementwise products and an int32 sum are exact (wrapping modulo 2^32 like PyTorch's).
  return op('dot', () => a.mul(b).sum());
}

/** torch.outer: [n] x [m] -> [n, m]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1) throw new Error(`outer: Expected 1-D argument self, but got ${a.ndim}-D (shape ${fmt(a.shape)})`);
  if (b.ndim !== 1) throw new Error(`outer: Expected 1-D argument vec2, but got ${b.ndim}-D (shape ${fmt(b.shape)})`);
  return op('outer', () => reshape(a, [a.shape[0]!, 1]).mul(reshape(b, [1, b.shape[0]!])));
}

export interface AddmmOptions {
  /** Multiplier of input (default 1; 0 ignores input, NaN included, as in PyTorch). */
  beta?: number;
  /** Multiplier of mat1 @ mat2 (default 1). */
  alpha?: number;
}

/** torch.addmm: beta * input + alpha * (mat1 @ mat2); input broadcasts to [n, p]. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options: AddmmOptions = {}): Tensor {
  if (mat1.ndim !== 2)
    throw new Error(`addmm: mat1 must be a matrix, got ${mat1.ndim}-D tensor (shape ${fmt(mat1.shape)})`);
  if (mat2.ndim !== 2)
    throw new Error(`addmm: mat2 must be a matrix, got ${mat2.ndim}-D tensor (shape ${fmt(mat2.shape)})`);
  if (mat1.shape[1] !== mat2.shape[0]) {
    throw new Error(
      `addmm: mat1 and mat2 shapes cannot be multiplied (${mat1.shape[0]}x${mat1.shape[1]} and ${mat2.shape[0]}x${mat2.shape[1]})`,
    );
  }
  commonBackend('addmm', [input, mat1, mat2]);
  for (const t of [input, mat1, mat2]) requireFloat('addmm', t);
  const outShape = [mat1.shape[0]!, mat2.shape[1]!];
  const joint = tryBroadcastShapes(input.shape, outShape);
  if (input.ndim > 2 || joint === null || joint[0] !== outShape[0] || joint[1] !== outShape[1]) {
    throw new Error(
      `addmm: The expanded size of the tensor must match: input of shape ${fmt(input.shape)} cannot be broadcast to the product's shape ${fmt(outShape)}`,
    );
  }
  const beta = options.beta ?? 1;
  const alpha = options.alpha ?? 1;
  return op('addmm', () => {
    const out = noGrad(() => {
      const prod = matmulRaw(mat1, mat2, false, false);
      const scaled = alpha === 1 ? prod : prod.mul(alpha);
      if (beta === 0) return scaled;
      return scaled.add(beta === 1 ? input : input.mul(beta));
    });
    const inShape = input.shape;
    return recordGrad(out, [input, mat1, mat2], [mat1, mat2], (g, [s1, s2]) => [
      input.requiresGrad ? sumToShape(beta === 1 ? g : g.mul(beta), inShape) : null,
      mat1.requiresGrad ? matmulRaw(g, s2!, false, true).mul(alpha) : null,
      mat2.requiresGrad ? matmulRaw(s1!, g, true, false).mul(alpha) : null,
    ]);
  });
}

/** Rotate one dim left by `by` (0 < by < size): [x_by, ..., x_last, x_0, ..., x_(by-1)]. */
function rotateLeft(x: Tensor, dim: number, by: number): Tensor {
  const n = x.shape[dim]!;
  return cat([slice(x, dim, by, n), slice(x, dim, 0, by)], dim);
}

/**
 * torch.cross: the cross product along a dim of size 3 (by default the first such dim of input,
 * PyTorch's deprecated default), broadcasting the other dims; both inputs have the same rank.
 */
export function cross(a: Tensor, b: Tensor, dim?: number | null): Tensor {
  commonBackend('cross', [a, b]);
  if (a.ndim !== b.ndim) {
    throw new Error(
      `cross: linalg.cross: inputs must have the same number of dimensions (shapes ${fmt(a.shape)} and ${fmt(b.shape)}).`,
    );
  }
  sameDtype('cross', a, b);
  let d: number;
  if (dim === undefined || dim === null) {
    d = a.shape.indexOf(3);
    if (d < 0) throw new Error(`cross: no dimension of size 3 in input (shape ${fmt(a.shape)})`);
  } else d = normalizeDim(dim, a.ndim, 'cross');
  if (a.shape[d] !== 3 || b.shape[d] !== 3) {
    throw new Error(
      `cross: linalg.cross: inputs dimension ${d} must have length 3. Got ${a.shape[d]} and ${b.shape[d]} (shapes ${fmt(a.shape)} and ${fmt(b.shape)})`,
    );
  }
  // c = a(i+1) b(i+2) - a(i+2) b(i+1), indices mod 3.
  return op('cross', () =>
    rotateLeft(a, d, 1)
      .mul(rotateLeft(b, d, 2))
      .sub(rotateLeft(a, d, 2).mul(rotateLeft(b, d, 1))),
  );
}

/**
 * torch.cdist: p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M] ->
 * [..., P, R], batch dims broadcasting. Computed from the differences (PyTorch's exact path; its
 * matmul shortcut for large p=2 inputs trades accuracy for memory). The gradient is 0 where a
 * distance is 0 (as PyTorch's), not NaN.
 */
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  commonBackend('cdist', [x1, x2]);
  if (x1.ndim < 2)
    throw new Error(`cdist only supports at least 2D tensors, X1 got: ${x1.ndim}D (shape ${fmt(x1.shape)})`);
  if (x2.ndim < 2)
    throw new Error(`cdist only supports at least 2D tensors, X2 got: ${x2.ndim}D (shape ${fmt(x2.shape)})`);
  if (x1.dtype !== 'float32' || x2.dtype !== 'float32')
    throw new Error(`cdist only supports floating-point dtypes, X1 got: ${x1.dtype}, X2 got: ${x2.dtype}`);
  if (x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1]) {
    throw new Error(
      `cdist: X1 and X2 must have the same number of columns. X1: ${x1.shape[x1.ndim - 1]} X2: ${x2.shape[x2.ndim - 1]} (shapes ${fmt(x1.shape)} and ${fmt(x2.shape)})`,
    );
  }
  if (!(p >= 0)) throw new Error(`cdist only supports non-negative p values (got ${p})`);
  const batch1 = x1.shape.slice(0, -2);
  const batch2 = x2.shape.slice(0, -2);
  if (tryBroadcastShapes(batch1, batch2) === null) {
    throw new Error(`cdist: batch dims of X1 ${fmt(x1.shape)} and X2 ${fmt(x2.shape)} cannot be broadcast`);
  }
  const differences = (a: Tensor, b: Tensor): Tensor => a.unsqueeze(-2).sub(b.unsqueeze(-3)); // [..., P, R, M]
  return op('cdist', () => {
    const out = noGrad(() => {
      const diff = differences(x1, x2);
      if (p === 0) return castNoGrad(diff.ne(0), 'float32').sum(-1);
      if (p === 1) return diff.abs().sum(-1);
      if (p === 2) return diff.square().sum(-1).sqrt();
      if (p === Infinity) return diff.numel === 0 ? diff.sum(-1) : amax(diff.abs(), -1);
      return diff
        .abs()
        .pow(p)
        .sum(-1)
        .pow(1 / p);
    });
    const shape1 = x1.shape;
    const shape2 = x2.shape;
    return recordGrad(out, [x1, x2], [x1, x2, out], (g, [s1, s2, sd]) => {
      const diff = differences(s1!, s2!);
      const dist = sd!.unsqueeze(-1);
      const gd = g.unsqueeze(-1);
      let local: Tensor; // d dist / d diff
      if (p === 0) local = constant(g.backend, 0, 'float32', diff.shape);
      else if (p === 1) local = diff.sign();
      else if (p === Infinity) local = diff.sign().mul(castNoGrad(diff.abs().eq(dist), 'float32'));
      else if (p === 2) local = where(dist.eq(0), 0, diff.div(dist));
      else {
        const ratio = diff
          .abs()
          .div(dist)
          .pow(p - 1)
          .mul(diff.sign());
        local = where(logicalOr(dist.eq(0), diff.eq(0)), 0, ratio);
      }
      const grad = gd.mul(local);
      return [
        x1.requiresGrad ? sumToShape(grad.sum(-2), shape1) : null,
        x2.requiresGrad ? sumToShape(grad.sum(-3).neg(), shape2) : null,
      ];
    });
  });
}

/**
 * torch.diagonal: the diagonal of dims dim1, dim2 (offset > 0 above the main one) as the last dim.
 * The two dims move to the end and flatten, and the diagonal is a strided slice of that.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const d1 = normalizeDim(dim1, x.ndim, 'diagonal');
  const d2 = normalizeDim(dim2, x.ndim, 'diagonal');
  if (d1 === d2) throw new Error(`diagonal: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  if (!Number.isInteger(offset)) throw new Error(`diagonal: offset must be an integer (got ${offset})`);
  const m = x.shape[d1]!;
  const n = x.shape[d2]!;
  const length = Math.max(0, offset >= 0 ? Math.min(m, n - offset) : Math.min(m + offset, n));
  const rest = x.shape.flatMap((_, i) => (i === d1 || i === d2 ? [] : [i]));
  return op('diagonal', () => {
    const moved = permute(x, [...rest, d1, d2]);
    const flat = reshape(moved, [...rest.map((i) => x.shape[i]!), m * n]);
    const start = offset >= 0 ? offset : -offset * n;
    const stop = length === 0 ? start : start + (length - 1) * (n + 1) + 1;
    return slice(flat, -1, Math.min(start, m * n), Math.min(stop, m * n), n + 1);
  });
}

/** torch.trace: the sum of a matrix's main diagonal. */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2)
    throw new Error(`trace: expected a matrix, but got tensor with dim ${x.ndim} (shape ${fmt(x.shape)})`);
  return op('trace', () => diagonal(x).sum());
}

/** A bool [rows, cols] mask of j - i <= k (lower) or j - i >= k (upper), written from the host. */
function triangleMask(x: Tensor, rows: number, cols: number, k: number, lower: boolean): Tensor {
  const values = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) values[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  const shape = [rows, cols];
  return output(x.backend, x.backend.kernels.write(values, shape, 'bool'), shape, 'bool');
}

function triangle(kind: 'tril' | 'triu', x: Tensor, diagonalOffset: number): Tensor {
  if (x.ndim < 2) throw new Error(`${kind}: input tensor must have at least 2 dimensions (got shape ${fmt(x.shape)})`);
  if (!Number.isInteger(diagonalOffset))
    throw new Error(`${kind}: diagonal must be an integer (got ${diagonalOffset})`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  return op(kind, () =>
    where(triangleMask(x, rows, cols, diagonalOffset, kind === 'tril'), x, constant(x.backend, 0, x.dtype)),
  );
}
/** torch.tril: zero above the diagonal-th diagonal of the last two dims. */
export const tril = (x: Tensor, diagonalOffset = 0): Tensor => triangle('tril', x, diagonalOffset);
/** torch.triu: zero below the diagonal-th diagonal of the last two dims. */
export const triu = (x: Tensor, diagonalOffset = 0): Tensor => triangle('triu', x, diagonalOffset);

/** torch.diag: a vector -> a square matrix with it on the diagonal-th diagonal; a matrix -> that diagonal. */
export function diag(x: Tensor, diagonalOffset = 0): Tensor {
  if (!Number.isInteger(diagonalOffset)) throw new Error(`diag: diagonal must be an integer (got ${diagonalOffset})`);
  if (x.ndim === 2) return diagonal(x, diagonalOffset, 0, 1);
  if (x.ndim !== 1)
    throw new Error(`diag: matrix or a vector expected (got a ${x.ndim}-D tensor of shape ${fmt(x.shape)})`);
  const n = x.shape[0]!;
  const k = Math.abs(diagonalOffset);
  const size = n + k;
  return op('diag', () => {
    // Row i of the n x n block keeps x_i on its diagonal; the block sits k columns right (k > 0)
    // or k rows down (k < 0) inside the (n + k)-square result.
    const eye = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const mask = output(x.backend, x.backend.kernels.write(eye, [n, n], 'bool'), [n, n], 'bool');
    const block = where(mask, reshape(x, [n, 1]), constant(x.backend, 0, x.dtype));
    if (k === 0) return block;
    const zeroColumns = constant(x.backend, 0, x.dtype, [n, k]);
    const zeroRows = constant(x.backend, 0, x.dtype, [k, size]);
    if (diagonalOffset > 0) return cat([cat([zeroColumns, block], 1), zeroRows], 0);
    return cat([zeroRows, cat([block, zeroColumns], 1)], 0);
  });
}
