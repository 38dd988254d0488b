/**
 * int32 matrix products against an exact BigInt reference with wrap-around modulo 2^32 (PyTorch's
 * int32 matmul): full-range operands, K past the 1024-term exact chunk, batch broadcasting, the
 * 1-D forms, F.linear with a bias, and PyTorch's dtype errors (torch 1.13 wording).
 */
import { describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import * as f from '../index.js';

f.setBackend('cpu');

/** A small seeded generator (xorshift32): the cases are the same on every run. */
let state = 2407;
const rng = {
  next(): number {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  },
};

function randomInts(n: number, bound: number): number[] {
  // Uniform in [-bound, bound) (bound <= 2^31), plus the int32 extremes now and then.
  return Array.from({ length: n }, () => {
    const r = rng.next();
    if (r < 0.02) return -(2 ** 31);
    if (r < 0.04) return 2 ** 31 - 1;
    return Math.floor(rng.next() * 2 * bound) - bound;
  });
}

/** [M, K] @ [K, N] row-major, exactly, wrapped to int32. */
function reference(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0n;
      for (let p = 0; p < k; p++) acc += BigInt(a[i * k + p]!) * BigInt(b[p * n + j]!);
      out.push(Number(BigInt.asIntN(32, acc)));
    }
  }
  return out;
}

const i32 = (values: number[], shape: number[]) => f.tensor(values, { dtype: 'int32' }).reshape(shape);

describe('int32 matmul is exact and wraps modulo 2^32', () => {
  it("PyTorch's example: [[1, 2], [3, 4]] @ [5, -6] = [-7, -9] (int32)", () => {
    const out = f.matmul(i32([1, 2, 3, 4], [2, 2]), i32([5, -6], [2]));
    expect(out.dtype).toBe('int32');
    expect(out.tolist()).toEqual([-7, -9]);
  });

  it('products past 2^24, where one float32 matmul rounds (4097 * 4097 - 16785408 = 1)', () => {
    expect(f.matmul(i32([4097, 1], [1, 2]), i32([4097, -16785408], [2, 1])).tolist()).toEqual([[1]]);
    // torch: tensor([[2**20 + 1, 2**20 + 3]]) @ its transpose = 8388618 (wrapped)
    const big = i32([2 ** 20 + 1, 2 ** 20 + 3], [1, 2]);
    expect(f.matmul(big, big.t()).tolist()).toEqual([[8388618]]);
  });

  for (const [m, k, n, bound] of [
    [3, 5, 4, 2 ** 31],
    [4, 7, 2, 1000],
    [2, 1500, 3, 2 ** 31], // two exact chunks plus padding
    [2, 3000, 2, 40000],
  ] as const) {
    it(`[${m}, ${k}] @ [${k}, ${n}], |x| < ${bound}`, () => {
      const a = randomInts(m * k, bound);
      const b = randomInts(k * n, bound);
      const out = f.matmul(i32(a, [m, k]), i32(b, [k, n]));
      expect(out.shape).toEqual([m, n]);
      expect(out.flatten().tolist()).toEqual(reference(a, b, m, k, n));
    });
  }

  it('batch broadcasting, transposed operands (through .t() views), mm, bmm, mv, dot', () => {
    const a = randomInts(2 * 3 * 4, 2 ** 31);
    const b = randomInts(4 * 5, 2 ** 31);
    const out = f.matmul(i32(a, [2, 3, 4]), i32(b, [4, 5]));
    expect(out.shape).toEqual([2, 3, 5]);
    expect(out.flatten().tolist()).toEqual([
      ...reference(a.slice(0, 12), b, 3, 4, 5),
      ...reference(a.slice(12), b, 3, 4, 5),
    ]);
    const m = i32(a.slice(0, 12), [3, 4]);
    expect(
      f
        .mm(m, i32(b, [4, 5]))
        .flatten()
        .tolist(),
    ).toEqual(reference(a.slice(0, 12), b, 3, 4, 5));
    expect(
      f
        .bmm(i32(a, [2, 3, 4]), i32([...b, ...b], [2, 4, 5]))
        .flatten()
        .tolist(),
    ).toEqual(out.flatten().tolist());
    const v = b.slice(0, 4);
    expect(f.mv(m, i32(v, [4])).tolist()).toEqual(reference(a.slice(0, 12), v, 3, 4, 1));
    expect(f.matmul(i32(v, [4]), m.t()).tolist()).toEqual(reference(v, transposed(a.slice(0, 12), 3, 4), 1, 4, 3));
    expect(f.dot(i32(v, [4]), i32(a.slice(0, 4), [4])).item()).toBe(reference(v, a.slice(0, 4), 1, 4, 1)[0]);
    expect(f.matmul(i32(v, [4]), i32(a.slice(0, 4), [4])).item()).toBe(reference(v, a.slice(0, 4), 1, 4, 1)[0]);
  });

  it('F.linear on int32 input, weight and bias (PyTorch: tensor([7]) for [3] @ [[2]]^T + [1])', () => {
    expect(f.nn.functional.linear(i32([3], [1]), i32([2], [1, 1]), i32([1], [1])).tolist()).toEqual([7]);
    const x = randomInts(2 * 6, 2 ** 31);
    const w = randomInts(3 * 6, 2 ** 31);
    const out = f.nn.functional.linear(i32(x, [2, 6]), i32(w, [3, 6]), i32([1, -2, 2 ** 31 - 1], [3]));
    expect(out.dtype).toBe('int32');
    const want = reference(x, transposed(w, 3, 6), 2, 6, 3).map((v, i) => (v + [1, -2, 2 ** 31 - 1][i % 3]!) | 0);
    expect(out.flatten().tolist()).toEqual(want);
  });

  it("PyTorch's errors: a bool first operand, mixed dtypes (no promotion)", () => {
    const i = i32([1, 2, 3, 4], [2, 2]);
    expect(() => f.matmul(i.float(), i)).toThrow(/matmul: expected scalar type Float but found Int/);
    expect(() => f.matmul(i, i.float())).toThrow(/matmul: expected scalar type Int but found Float/);
    expect(() => f.matmul(i.bool(), i)).toThrow(`matmul: "addmm_impl_cpu_" not implemented for 'Bool'`);
    expect(() => f.matmul(i, i.bool())).toThrow(/expected scalar type Int but found Bool/);
    expect(() => f.mm(i.bool(), i.bool())).toThrow(`mm: "addmm_impl_cpu_" not implemented for 'Bool'`);
    expect(() => f.bmm(i.bool().reshape([1, 2, 2]), i.bool().reshape([1, 2, 2]))).toThrow(
      `bmm: "bmm" not implemented for 'Bool'`,
    );
    expect(() => f.mv(i.bool(), i32([1, 2], [2]).bool())).toThrow(`mv: "addmv_impl_cpu" not implemented for 'Bool'`);
    expect(() => f.dot(i32([1, 2], [2]).bool(), i32([1, 2], [2]).bool())).toThrow(
      `dot: "dot" not implemented for 'Bool'`,
    );
    expect(() => f.nn.functional.linear(i.float(), i)).toThrow(/linear: expected scalar type Float but found Int/);
    expect(() => f.nn.functional.linear(i.bool(), i.bool())).toThrow(/"addmm_impl_cpu_" not implemented for 'Bool'/);
    expect(() => f.nn.functional.linear(i, i, f.ones([2]))).toThrow(/linear: self and mat2 must have the same dtype/);
  });
});

function transposed(values: number[], rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out.push(values[r * cols + c]!);
  return out;
}
