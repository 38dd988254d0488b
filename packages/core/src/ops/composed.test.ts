/**
 * The tensor functions composed from existing kernels (ops/math.ts, linalg.ts, shape.ts,
 * einsum.ts, creation-like.ts): what the PyTorch fixtures (conformance, ops-functions.json) do not
 * show — methods agreeing with the free functions, PyTorch's errors, dtype rules, float64
 * references over dense grids for the approximated functions, exact integer division over the
 * int32 range, and the random in-place fills.
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { expectClose } from '@flint/conformance';
import * as api from '../index.js';
import type { Tensor } from '../index.js';

const { tensor, fromArray, noGrad, manualSeed, nn } = api;
const ints = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });
const f32 = (values: number[]) => fromArray(Float32Array.from(values), [values.length]);
const grid = (lo: number, hi: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

function sameValues(a: Tensor, b: Tensor): void {
  expect([...a.shape]).toEqual([...b.shape]);
  expect(a.dtype).toBe(b.dtype);
  expectClose(a.dataSync(), b.dataSync(), { rtol: 0, atol: 0 });
}

describe('methods agree with the free functions', () => {
  const x = () =>
    tensor([
      [0.3, -1.2, 2.5],
      [0.7, 0.1, -0.4],
    ]);
  const y = () =>
    tensor([
      [1.5, 0.6, -2],
      [0.25, -1, 3],
    ]);
  const cases: [string, () => Tensor, () => Tensor][] = [
    ['tan', () => x().tan(), () => api.tan(x())],
    ['asin', () => x().mul(0.3).asin(), () => api.asin(x().mul(0.3))],
    ['acos', () => x().mul(0.3).acos(), () => api.acos(x().mul(0.3))],
    ['atan', () => x().atan(), () => api.atan(x())],
    ['atan2', () => x().atan2(y()), () => api.atan2(x(), y())],
    ['sinh', () => x().sinh(), () => api.sinh(x())],
    ['cosh', () => x().cosh(), () => api.cosh(x())],
    ['log2', () => y().abs().log2(), () => api.log2(y().abs())],
    ['log10', () => y().abs().log10(), () => api.log10(y().abs())],
    ['trunc', () => x().trunc(), () => api.trunc(x())],
    ['frac', () => x().frac(), () => api.frac(x())],
    ['remainder', () => x().remainder(y()), () => api.remainder(x(), y())],
    ['fmod', () => x().fmod(0.5), () => api.fmod(x(), 0.5)],
    ['floorDivide', () => x().floorDivide(y()), () => api.floorDivide(x(), y())],
    ['isnan', () => x().isnan(), () => api.isnan(x())],
    ['isinf', () => x().isinf(), () => api.isinf(x())],
    ['isfinite', () => x().isfinite(), () => api.isfinite(x())],
    ['nanToNum', () => x().nanToNum(1), () => api.nanToNum(x(), 1)],
    ['clip', () => x().clip(-1, 1), () => api.clip(x(), -1, 1)],
    ['lerp', () => x().lerp(y(), 0.3), () => api.lerp(x(), y(), 0.3)],
    ['addcmul', () => x().addcmul(y(), x(), { value: 2 }), () => api.addcmul(x(), y(), x(), { value: 2 })],
    ['addcdiv', () => x().addcdiv(y(), y(), { value: 2 }), () => api.addcdiv(x(), y(), y(), { value: 2 })],
    ['logicalOr', () => x().gt(0).logicalOr(y().gt(0)), () => api.logicalOr(x().gt(0), y().gt(0))],
    ['logicalXor', () => x().gt(0).logicalXor(y().gt(0)), () => api.logicalXor(x().gt(0), y().gt(0))],
    ['logicalAnd', () => x().gt(0).logicalAnd(y().gt(0)), () => api.logicalAnd(x().gt(0), y().gt(0))],
    ['isclose', () => x().isclose(y(), { atol: 1 }), () => api.isclose(x(), y(), { atol: 1 })],
    ['mm', () => x().mm(y().t()), () => api.mm(x(), api.t(y()))],
    ['mv', () => x().mv(y().select(0, 0)), () => api.mv(x(), y().select(0, 0))],
    ['dot', () => x().flatten().dot(y().flatten()), () => api.dot(x().flatten(), y().flatten())],
    ['outer', () => x().select(0, 0).outer(y().select(1, 1)), () => api.outer(x().select(0, 0), y().select(1, 1))],
    [
      'addmm',
      () => x().mm(y().t()).addmm(x(), y().t(), { beta: 2 }),
      () => api.addmm(x().mm(y().t()), x(), y().t(), { beta: 2 }),
    ],
    ['cross', () => x().cross(y()), () => api.cross(x(), y())],
    ['trace', () => x().trace(), () => api.trace(x())],
    ['diag', () => x().diag(1), () => api.diag(x(), 1)],
    ['diagonal', () => x().diagonal(-1), () => api.diagonal(x(), -1)],
    ['tril', () => x().tril(), () => api.tril(x())],
    ['triu', () => x().triu(1), () => api.triu(x(), 1)],
    ['flip', () => x().flip(0, 1), () => api.flip(x(), [0, 1])],
    ['roll', () => x().roll(1, 1), () => api.roll(x(), 1, 1)],
    ['tile', () => x().tile(2), () => api.tile(x(), [2])],
    ['repeatInterleave', () => x().repeatInterleave(2, 0), () => api.repeatInterleave(x(), 2, 0)],
    ['broadcastTo', () => x().broadcastTo(2, 2, 3), () => api.broadcastTo(x(), [2, 2, 3])],
    ['movedim', () => x().movedim(0, 1), () => api.movedim(x(), 0, 1)],
    ['moveaxis', () => x().moveaxis(1, 0), () => api.moveaxis(x(), 1, 0)],
    ['t', () => x().t(), () => api.t(x())],
  ];
  for (const [name, method, fn] of cases) it(name, () => sameValues(method(), fn()));

  it('bmm, and free max/min in all three forms', () => {
    const a = api.randn(2, 2, 3);
    const b = api.randn(2, 3, 4);
    sameValues(a.bmm(b), api.bmm(a, b));
    const m = tensor([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    sameValues(api.max(m), m.max());
    sameValues(api.max(m, 1).values, m.max(1).values);
    sameValues(api.min(m, 0, true).indices, m.min(0, true).indices);
    expect(api.max(m, tensor([4, 4, 4])).tolist()).toEqual([
      [4, 5, 4],
      [7, 4, 4],
    ]);
    expect(api.min(m, tensor([4, 4, 4])).tolist()).toEqual([
      [1, 4, 2],
      [4, 0, 3],
    ]);
  });

  it('einsum takes the operands as arguments or as one list', () => {
    const a = api.randn(2, 3);
    const b = api.randn(3, 4);
    sameValues(api.einsum('ij,jk->ik', a, b), api.einsum('ij,jk->ik', [a, b]));
    expectClose(api.einsum('ij,jk->ik', a, b).dataSync(), a.matmul(b).dataSync());
  });
});

describe('approximated functions against float64 references on dense grids', () => {
  const check = (
    name: string,
    op: (x: Tensor) => Tensor,
    ref: (v: number) => number,
    xs: Float32Array,
    rtol = 2e-6,
    atol = 1e-7,
  ) => {
    const got = op(fromArray(xs, [xs.length])).dataSync();
    expectClose(got, Array.from(xs, ref), { rtol, atol }, name);
  };
  const wide = Float32Array.from([...grid(-10, 10, 20001), ...grid(-1e6, 1e6, 2001), 1e30, -1e30, 3e38, -3e38]);

  it('atan within 2e-6 relative over [-10, 10], +-1e6 and huge arguments', () =>
    check('atan', api.atan, Math.atan, wide));
  it('atan2 over all four quadrants (and the axes)', () => {
    const n = 361;
    const ys = Float32Array.from(
      { length: n * 5 },
      (_, i) => [1, 0.5, 3, 1e-3, 1e3][Math.floor(i / n)]! * Math.sin((2 * Math.PI * (i % n)) / (n - 1)),
    );
    const xs = Float32Array.from(
      { length: n * 5 },
      (_, i) => [1, 0.5, 3, 1e-3, 1e3][Math.floor(i / n)]! * Math.cos((2 * Math.PI * (i % n)) / (n - 1)),
    );
    const got = api.atan2(fromArray(ys, [ys.length]), fromArray(xs, [xs.length])).dataSync();
    expectClose(
      got,
      Array.from(ys, (y, i) => Math.atan2(y, xs[i]!)),
      { rtol: 2e-6, atol: 1e-6 },
      'atan2',
    );
  });
  it('asin and acos over [-1, 1], accurate near the ends', () => {
    const xs = Float32Array.from([...grid(-1, 1, 20001), 0.9999999, -0.9999999, 1e-7, -1e-7]);
    check('asin', api.asin, Math.asin, xs);
    check('acos', api.acos, Math.acos, xs);
  });
  it('sinh keeps its precision near 0 (no e^x - e^-x cancellation) and does not overflow early', () => {
    const xs = Float32Array.from([...grid(-5, 5, 10001), 1e-6, -1e-6, 1e-20, 88.5, -88.5, 89.2]);
    check('sinh', api.sinh, Math.sinh, xs, 4e-6);
    check('cosh', api.cosh, Math.cosh, xs, 4e-6);
  });
  it('log2 and log10 (exact powers within one float32 rounding)', () => {
    const xs = Float32Array.from([...grid(0.01, 100, 10001), 1, 2, 1024, 2 ** -40, 1e30, 1e-30]);
    check('log2', api.log2, Math.log2, xs, 2e-7, 1e-7);
    check('log10', api.log10, Math.log10, xs, 2e-7, 1e-7);
  });
  it('tan on (-1.5, 1.5)', () => check('tan', api.tan, Math.tan, grid(-1.5, 1.5, 10001), 2e-6));
});

describe('remainder, fmod, floorDivide', () => {
  it('floats agree with float64 fmod and Python % over random operands', () => {
    const rng = new api.Generator(5);
    const n = 20000;
    const a = Float32Array.from({ length: n }, () => (rng.random() - 0.5) * 200);
    const b = Float32Array.from({ length: n }, () => (rng.random() < 0.5 ? -1 : 1) * (0.1 + rng.random() * 10));
    const A = fromArray(a, [n]);
    const B = fromArray(b, [n]);
    const fmod = Array.from(a, (v, i) => v % b[i]!);
    const rem = fmod.map((r, i) => (r !== 0 && r < 0 !== b[i]! < 0 ? r + b[i]! : r));
    // The product q * b rounds in float32: within an ulp of |a| (here <= 100).
    const tol = { rtol: 0, atol: 2e-5 };
    expectClose(api.fmod(A, B).dataSync(), fmod, tol, 'fmod');
    expectClose(api.remainder(A, B).dataSync(), rem, tol, 'remainder');
    const q = api.floorDivide(A, B).dataSync();
    expectClose(
      q,
      Array.from(a, (v, i) => Math.round((v - rem[i]!) / b[i]!)),
      { rtol: 0, atol: 0 },
      'floorDivide',
    );
  });

  it('int32 is exact over the whole range (the float estimate is refined in integers)', () => {
    const a = [2147483647, -2147483647, 2147483646, 123456789, -987654321, 16777217, -16777217, 7, -7, 0];
    const b = [2, 3, -7, 1000, 97, 3, -2, 2147483647, -3, 5];
    const expected = a.map((v, i) => Number(BigInt(v) % BigInt(b[i]!)));
    expect(api.fmod(ints(a), ints(b)).tolist()).toEqual(expected);
    const floorMod = expected.map((r, i) => (r !== 0 && r < 0 !== b[i]! < 0 ? r + b[i]! : r));
    expect(api.remainder(ints(a), ints(b)).tolist()).toEqual(floorMod);
    expect(api.floorDivide(ints(a), ints(b)).tolist()).toEqual(a.map((v, i) => Math.floor(v / b[i]!)));
    expect(api.remainder(ints([5, -5]), 3).dtype).toBe('int32');
  });

  it("integer division by a zero scalar is PyTorch's ZeroDivisionError; by a zero element gives 0", () => {
    expect(() => api.remainder(ints([5]), 0)).toThrow(/ZeroDivisionError/);
    expect(() => api.floorDivide(ints([5]), 0)).toThrow(/ZeroDivisionError/);
    expect(api.fmod(ints([5, 6]), ints([0, 4])).tolist()).toEqual([0, 2]);
    expect(api.remainder(f32([5]), 0).tolist()).toEqual([Number.NaN]);
  });

  it('bool operands are refused; floorDivide has no derivative (an error at backward, as in PyTorch)', () => {
    expect(() => api.remainder(tensor([true]), tensor([true]))).toThrow(`"remainder_cpu" not implemented for 'Bool'`);
    const x = tensor([3, 4], { requiresGrad: true });
    const q = api.floorDivide(x, 2);
    expect(q.requiresGrad).toBe(true);
    expect(() => q.sum().backward()).toThrow('derivative for floor_divide is not implemented');
  });
});

describe("PyTorch's errors", () => {
  const z = (...shape: number[]) => api.zeros(shape);
  const cases: [string, () => unknown, RegExp | string][] = [
    ['mm of a 3-D tensor', () => api.mm(z(2, 3, 4), z(3, 4)), 'self must be a matrix'],
    ['mm shapes', () => api.mm(z(2, 3), z(4, 5)), 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)'],
    [
      'bmm batch',
      () => api.bmm(z(2, 3, 4), z(3, 4, 5)),
      'Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].',
    ],
    ['bmm rank', () => z(2, 3).bmm(z(2, 3, 4)), 'batch1 must be a 3D tensor'],
    ['mv', () => api.mv(z(3), z(3)), /vector \+ matrix @ vector expected.*\[3\] and \[3\]/],
    ['dot rank', () => api.dot(z(3, 1), z(3)), '1D tensors expected, but got 2D and 1D tensors'],
    ['dot size', () => api.dot(z(3), z(4)), 'inconsistent tensor size, expected tensor [3] and src [4]'],
    [
      'dot dtype',
      () => api.dot(z(3), ints([1, 2, 3])),
      'expected both vectors to have same dtype, but found Float and Int',
    ],
    ['outer', () => api.outer(z(3, 1), z(3)), 'Expected 1-D argument self, but got 2-D'],
    [
      'addmm input',
      () => api.addmm(z(4), z(2, 4), z(4, 3)),
      /input of shape \[4\] cannot be broadcast to the product's shape \[2, 3\]/,
    ],
    ['cross no size 3', () => api.cross(z(2, 2), z(2, 2)), 'no dimension of size 3 in input'],
    ['cross dim', () => api.cross(z(3, 2), z(3, 2), 1), 'inputs dimension 1 must have length 3. Got 2 and 2'],
    ['cross rank', () => api.cross(z(3), z(2, 3)), 'inputs must have the same number of dimensions'],
    ['cdist 1-D', () => api.cdist(z(3), z(3)), 'cdist only supports at least 2D tensors, X1 got: 1D'],
    ['cdist columns', () => api.cdist(z(2, 3), z(2, 4)), 'X1 and X2 must have the same number of columns. X1: 3 X2: 4'],
    ['cdist p', () => api.cdist(z(2, 3), z(2, 3), -1), 'cdist only supports non-negative p values'],
    ['tril 1-D', () => api.tril(z(3)), 'tril: input tensor must have at least 2 dimensions'],
    ['diag 3-D', () => api.diag(z(2, 2, 2)), 'matrix or a vector expected'],
    ['trace 3-D', () => api.trace(z(2, 2, 2)), 'trace: expected a matrix, but got tensor with dim 3'],
    ['diagonal dims', () => api.diagonal(z(2, 3), 0, 0, 0), 'diagonal dimensions cannot be identical 0, 0'],
    ['flip repeated', () => api.flip(z(2, 3), [0, 0]), 'dim 0 appears multiple times in the list of dims'],
    [
      'flip range',
      () => api.flip(z(2, 3), [2]),
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    ],
    ['roll align', () => api.roll(z(2, 3), [1, 2], [0]), 'shifts and dimensions must align. shifts: 2, dims:1'],
    ['movedim repeated', () => api.movedim(z(2, 3), [0, 0], [0, 1]), 'movedim: repeated dim in `source` ([0, 0])'],
    [
      'movedim lengths',
      () => api.movedim(z(2, 3), [0, 1], [0]),
      'source ([0, 1] dims) should contain the same number of dims as destination ([0] dims)',
    ],
    ['tile negative', () => api.tile(z(2, 3), [-1]), 'Trying to create tensor with negative dimension -1'],
    ['repeatInterleave negative', () => api.repeatInterleave(z(2, 3), -1), 'repeats can not be negative'],
    [
      'repeatInterleave size',
      () => api.repeatInterleave(z(2, 3), ints([1, 2, 3]), 0),
      'repeats must have the same size as input along dim',
    ],
    [
      'repeatInterleave rank',
      () => api.repeatInterleave(z(2, 3), ints([[1, 2]]), 0),
      'repeats must be 0-dim or 1-dim tensor',
    ],
    ['meshgrid 2-D', () => api.meshgrid(z(2, 2)), 'Expected 0D or 1D tensor in the tensor list'],
    [
      'meshgrid indexing',
      () => api.meshgrid([z(2)], { indexing: 'yx' as 'xy' }),
      'indexing must be one of "xy" or "ij", but received: yx',
    ],
    ['meshgrid empty', () => api.meshgrid(), 'meshgrid expects a non-empty TensorList'],
    ['meshgrid dtype', () => api.meshgrid(z(2), ints([1])), 'meshgrid expects all tensors to have the same dtype'],
    ['hstack empty', () => api.hstack([]), 'hstack expects a non-empty TensorList'],
    [
      'broadcastTo',
      () => api.broadcastTo(z(2, 3), [3, 3]),
      'The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0',
    ],
    ['t 3-D', () => api.t(z(2, 3, 4)), 't() expects a tensor with <= 2 dimensions, but self is 3D'],
    ['frac int', () => api.frac(ints([1])), `"frac_cpu" not implemented for 'Int'`],
    ['trunc bool', () => api.trunc(tensor([true])), /not implemented for 'Bool'/],
    [
      'addcdiv ints',
      () => api.addcdiv(z(2), ints([1, 2]), ints([1, 2])),
      'Integer division with addcdiv is no longer supported',
    ],
    ['lerp int end', () => api.lerp(z(2), ints([1, 2]), 0.5), 'expected dtype float32 for `end` but got dtype int32'],
    ['isclose dtypes', () => api.isclose(z(2), ints([0, 0])), 'Float did not match Int'],
    [
      'einsum fewer',
      () => api.einsum('ij,jk->ik', z(2, 3)),
      'fewer operands were provided than specified in the equation',
    ],
    [
      'einsum more',
      () => api.einsum('ij->ji', z(2, 3), z(2)),
      'more operands were provided than specified in the equation',
    ],
    [
      'einsum rank',
      () => api.einsum('ij,jk->ik', z(2, 3, 1), z(3, 4)),
      'the number of subscripts in the equation (2) does not match the number of dimensions (3) for operand 0 and no ellipsis was given',
    ],
    [
      'einsum sizes',
      () => api.einsum('ij,jk->ik', z(2, 3), z(4, 4)),
      'subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3',
    ],
    [
      'einsum output repeated',
      () => api.einsum('ij,jk->ii', z(2, 3), z(3, 4)),
      'output subscript i appears more than once in the output',
    ],
    [
      'einsum output unknown',
      () => api.einsum('ij,jk->iz', z(2, 3), z(3, 4)),
      'output subscript z does not appear in the equation for any input operand',
    ],
    [
      'einsum subscript',
      () => api.einsum('i1,jk->ik', z(2, 3), z(3, 4)),
      'invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]',
    ],
    [
      'einsum repeated sizes',
      () => api.einsum('ii->i', z(2, 3)),
      "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2",
    ],
    [
      'einsum ellipsis',
      () => api.einsum('...ij,...jk->...ik', z(2, 2, 3), z(5, 3, 4)),
      /covered by ellipsis in operand 1 has size 5 which does not broadcast with previously seen ellipsis with size 2/,
    ],
    ['einsum dot', () => api.einsum('i.j->j', z(2, 3)), "found '.' for operand 0 that is not part of any ellipsis"],
    ['einsum dtypes', () => api.einsum('i,i->', z(2), ints([1, 2])), 'operands must have one dtype'],
    [
      'uniform_ bounds',
      () => z(3).uniform_(2, 1),
      'uniform_ expects to return a [from, to) range, but found from=2 > to=1',
    ],
    ['normal_ std', () => z(3).normal_(0, -1), 'normal expects std >= 0.0, but found std -1'],
    ['bernoulli_ p', () => z(3).bernoulli_(1.5), 'bernoulli_ expects p to be in [0, 1], but got p=1.5'],
    ['uniform_ int', () => ints([1, 2]).uniform_(), `"check_uniform_bounds" not implemented for 'Int'`],
  ];
  for (const [name, run, message] of cases) it(name, () => expect(run).toThrow(message));
});

describe('in-place forms', () => {
  it('change the tensor and its views, and keep its dtype', () => {
    const x = tensor([
      [1, 4],
      [9, 16],
    ]);
    const view = x.view(4);
    x.sqrt_();
    expect(view.tolist()).toEqual([1, 2, 3, 4]);
    x.neg_().abs_().pow_(2).exp_().sigmoid_();
    expectClose(
      x.dataSync(),
      [1, 4, 9, 16].map((v) => 1 / (1 + Math.exp(-Math.exp(v)))),
    );
    const i = ints([-2, 3]);
    expect(i.relu_().abs_().pow_(2).tolist()).toEqual([0, 9]);
    expect(i.dtype).toBe('int32');
  });

  it("on a leaf that requires grad: PyTorch's error (fine inside noGrad)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    for (const op of [() => w.exp_(), () => w.pow_(2), () => w.relu_(), () => w.uniform_(), () => w.bernoulli_()]) {
      expect(op).toThrow('a leaf Variable that requires grad is being used in an in-place operation');
    }
    noGrad(() => w.exp_());
    expectClose(w.dataSync(), [Math.E, Math.E ** 2]);
  });

  it("a float result into an int tensor is PyTorch's cast error, and nothing leaks (failed before: int.add_(0.5) stored floats)", () => {
    const i = ints([1, 2]);
    const mask = tensor([true]);
    const before = api.memory().handles;
    expect(() => i.sqrt_()).toThrow("result type Float can't be cast to the desired output type Int");
    expect(() => i.add_(0.5)).toThrow("add_: result type Float can't be cast to the desired output type Int");
    expect(() => mask.add_(1)).toThrow("result type Int can't be cast to the desired output type Bool");
    expect(api.memory().handles).toBe(before);
    expect(i.tolist()).toEqual([1, 2]);
    // int -> float is allowed (PyTorch's rule): a float tensor takes an int result.
    expect(
      tensor([1.5])
        .copy_(ints([2]))
        .tolist(),
    ).toEqual([2]);
  });

  it('uniform_, normal_ and bernoulli_ draw from the seeded generator, as nn.init does', () => {
    const n = 20000;
    manualSeed(3);
    const u = api.zeros([n]).uniform_(-2, 4);
    manualSeed(3);
    const viaInit = nn.init.uniform_(api.zeros([n]), -2, 4);
    sameValues(u, viaInit);
    const values = u.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThan(4);
    expect(u.mean().item()).toBeCloseTo(1, 1);
    const g = new api.Generator(11);
    const normal = api.zeros([n]).normal_(3, 0.5, { generator: g });
    expect(normal.mean().item()).toBeCloseTo(3, 1);
    expect(normal.std().item()).toBeCloseTo(0.5, 1);
    const b = api.zeros([n]).bernoulli_(0.25);
    expect(b.mean().item()).toBeCloseTo(0.25, 1);
    expect(new Set(b.dataSync()).size).toBe(2);
    // A probability tensor: 0 and 1 are exact; an int32 tensor takes int 0/1.
    const exact = ints([5, 5, 5]).bernoulli_(tensor([0, 1, 0]));
    expect(exact.tolist()).toEqual([0, 1, 0]);
    expect(exact.dtype).toBe('int32');
  });
});

describe('int64 / float64 names, long(), double(), new*, typeAs', () => {
  it('int64 and float64 are accepted and stored as int32 and float32', () => {
    expect(tensor([1, 2], { dtype: 'int64' }).dtype).toBe('int32');
    expect(api.zeros([2], { dtype: 'float64' }).dtype).toBe('float32');
    expect(api.arange(3, undefined, 1, { dtype: 'int64' }).tolist()).toEqual([0, 1, 2]);
    expect(tensor([1.5]).to('int64').tolist()).toEqual([1]);
    expect(ints([3]).to('float64').dtype).toBe('float32');
    expect(() => tensor([1], { dtype: 'float16' as 'float32' })).toThrow(
      /unknown dtype 'float16'.*int64 maps to int32/,
    );
  });

  it('host values outside int32 are refused instead of wrapping (they wrapped before)', () => {
    expect(() => tensor([1, 3e9], { dtype: 'int64' })).toThrow(
      'tensor: value 3000000000 at index [1] cannot be stored as int32 (range [-2147483648, 2147483647]; Flint stores int64 as int32)',
    );
    expect(() => fromArray(Float32Array.from([-3e9]), [1], { dtype: 'int32' })).toThrow(
      /value -3000000000 at flat index 0/,
    );
    expect(() => api.full([2], 2 ** 31, { dtype: 'int32' })).toThrow(/cannot be stored as int32/);
    expect(() => tensor([Number.NaN], { dtype: 'int32' })).toThrow(/value NaN/);
    expect(tensor([2147483647, -2147483648], { dtype: 'int64' }).tolist()).toEqual([2147483647, -2147483648]);
  });

  it('long() truncates toward zero and saturates at the int32 limits on the device (no readback)', () => {
    expect(tensor([-2.7, 2.7, 3e9, -3e9, 2147483520]).long().tolist()).toEqual([
      -2, 2, 2147483647, -2147483648, 2147483520,
    ]);
    const i = ints([1]);
    expect(i.long()).toBe(i);
    expect(i.double().dtype).toBe('float32');
    expect(tensor([1.5]).typeAs(i).tolist()).toEqual([1]);
  });

  it("type(): PyTorch's type name, and type(dtype) casts (the quickstart's .type(torch.float))", () => {
    const i = ints([1, 2]);
    expect([i.type(), tensor([1]).type(), tensor([1]).gt(0).type()]).toEqual([
      'torch.IntTensor',
      'torch.FloatTensor',
      'torch.BoolTensor',
    ]);
    const f = i.eq(ints([1, 3])).type('float32');
    expect([f.dtype, f.tolist()]).toEqual(['float32', [1, 0]]);
    expect(i.type('int64')).toBe(i);
    expect(tensor([2.7, -1e10]).type('torch.LongTensor').tolist()).toEqual([2, -2147483648]);
    expect(i.type('torch.DoubleTensor').dtype).toBe('float32');
    expect(() => i.type('cpu' as 'float32')).toThrow("type(): unknown dtype 'cpu' (expected one of float32, int32");
  });

  it('new* take this dtype and device unless told otherwise', () => {
    const i = ints([1]);
    const a = i.newZeros(2, 3);
    expect([a.dtype, ...a.shape]).toEqual(['int32', 2, 3]);
    expect(i.newFull([2], 1.5).tolist()).toEqual([1, 1]);
    expect(i.newTensor([1.5, 2.5]).tolist()).toEqual([1, 2]);
    expect(tensor([0.5]).newOnes([2], { dtype: 'int64' }).dtype).toBe('int32');
    expect(tensor([0.5]).newEmpty([2]).tolist()).toEqual([0, 0]);
    const src = tensor([1, 2], { requiresGrad: true });
    const copy = i.newTensor(src, { dtype: 'float32', requiresGrad: true });
    expect([copy.isLeaf, copy.requiresGrad, copy.tolist()]).toEqual([true, true, [1, 2]]);
  });
});

describe('reading back: allclose, equal and tensor repeats', () => {
  it('allclose and equal return JavaScript booleans', () => {
    expect(api.allclose(tensor([1, 2]), tensor([1 + 1e-7, 2]))).toBe(true);
    expect(api.allclose(tensor([1, Number.NaN]), tensor([1, Number.NaN]))).toBe(false);
    expect(api.allclose(tensor([1, Number.NaN]), tensor([1, Number.NaN]), { equalNan: true })).toBe(true);
    expect(tensor([Infinity]).allclose(tensor([Infinity]))).toBe(true);
    expect(api.equal(tensor([1, 2]), ints([1, 2]))).toBe(true);
    expect(api.equal(tensor([1, 2]), tensor([1, 2, 3]))).toBe(false);
    expect(api.equal(tensor([Number.NaN]), tensor([Number.NaN]))).toBe(false);
  });

  it('repeatInterleave: a number or array needs no readback; a tensor of repeats is read (as PyTorch syncs)', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(x.repeatInterleave([2, 0, 1], 0).tolist()).toEqual([
      [1, 2],
      [1, 2],
      [5, 6],
    ]);
    expect(x.repeatInterleave(ints([1, 2, 0]), 0).tolist()).toEqual([
      [1, 2],
      [3, 4],
      [3, 4],
    ]);
    expect(x.repeatInterleave(2).tolist()).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
  });
});

describe('gradients where a composition would give NaN', () => {
  it('cdist at a zero distance and addmm with beta 0 and a NaN input', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    api.cdist(x, x.detach()).sum().backward();
    expect(x.grad!.dataSync().every(Number.isFinite)).toBe(true);
    const input = tensor([[Number.NaN, 1]], { requiresGrad: true });
    const m = tensor([[1, 2]], { requiresGrad: true });
    const out = api.addmm(input, m.t(), m, { beta: 0 });
    expect(out.dataSync().every(Number.isFinite)).toBe(true);
    out.sum().backward();
    expect(input.grad!.tolist()).toEqual([[0, 0]]);
  });
});

describe("add/sub take PyTorch's alpha keyword as an options object too", () => {
  it('x.add(y, { alpha: 2 }) = x.add(y, 2) (it failed with a TypeError naming no argument); sub, add_, free add', () => {
    const x = tensor([1, 2]);
    const y = tensor([10, 20]);
    expect(x.add(y, { alpha: 2 }).tolist()).toEqual([21, 42]);
    expect(x.sub(y, { alpha: 0.5 }).tolist()).toEqual([-4, -8]);
    expect(api.add(x, 3, { alpha: 2 }).tolist()).toEqual([7, 8]);
    expect(x.add(y, {}).tolist()).toEqual([11, 22]);
    const z = tensor([1, 1]);
    z.sub_(y, { alpha: 0.1 });
    expect((z.tolist() as number[]).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, -1]);
  });
});

describe('where(condition) alone', () => {
  it('is nonzero(condition, { asTuple: true }), as torch.where(cond) (it failed reading undefined)', () => {
    const [rows, cols] = api.where(
      tensor([
        [0, 1],
        [1, 1],
      ]).gt(0),
    );
    expect([rows!.tolist(), cols!.tolist(), rows!.dtype]).toEqual([[0, 1, 1], [1, 0, 1], 'int32']);
    expect(api.where(tensor([1, 0]).gt(0), 1, 2).tolist()).toEqual([1, 2]);
    expect(() => (api.where as unknown as (c: Tensor, x: number) => Tensor)(tensor([1]).gt(0), 1)).toThrow(
      'where(): expected where(condition) or where(condition, x, y), got where(condition, x)',
    );
  });
});
