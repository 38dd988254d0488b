/**
 * What the differential sweep (packages/conformance/fixtures/generate_sweep.py --audit) found that
 * op fixtures cannot hold (the op values it found are cases in ops-sweep.json): calls PyTorch 1.13
 * refuses that Flint accepted — each must raise PyTorch's error (torch 1.13's wording, checked with
 * /usr/bin/python3) and leave no backend handle behind — and creation functions' values.
 */
import { describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import * as f from '../index.js';

f.setBackend('cpu');

function expectRefusal(call: () => unknown, message: RegExp): void {
  const before = f.memory().handles;
  expect(call).toThrow(message);
  expect(f.memory().handles, 'storages alive after the refused call').toBe(before);
}

describe("PyTorch's refusals (differential sweep)", () => {
  it('bool - bool and -bool (use logical_xor / logical_not)', () => {
    const a = f.tensor([true, false], { dtype: 'bool' });
    const b = f.tensor([true, true], { dtype: 'bool' });
    expectRefusal(() => a.sub(b), /Subtraction, the `-` operator, with two bool tensors is not supported/);
    expectRefusal(() => f.sub(a, b, 2), /with two bool tensors is not supported/);
    expectRefusal(() => a.neg(), /Negation, the `-` operator, on a bool tensor is not supported/);
    // one bool operand is refused too (torch: `i - a`, `a - 1`, `1 - a`)
    const i = f.tensor([1, 2], { dtype: 'int32' });
    const oneBool = /Subtraction, the `-` operator, with a bool tensor is not supported/;
    expectRefusal(() => i.sub(a), oneBool);
    expectRefusal(() => a.sub(1.5), oneBool);
    expectRefusal(() => f.sub(1, a), oneBool);
    // bool + alpha * bool stays a bool logical or (torch.add(a, b, alpha=2) is [True, True])
    const sum = f.add(a, b, 2);
    expect([sum.dtype, sum.tolist()]).toEqual(['bool', [true, true]]);
    for (const t of [a, b, i, sum]) t.dispose();
  });

  it('an int32 or bool tensor to a negative integer power', () => {
    const x = f.tensor([2, 3], { dtype: 'int32' });
    expectRefusal(() => x.pow(-1), /Integers to negative integer powers are not allowed\./);
    const mask = f.tensor([true], { dtype: 'bool' });
    expectRefusal(() => mask.pow(-2), /Integers to negative integer powers/);
    mask.dispose();
    // a fractional or non-negative exponent is fine: float32 for 0.5, int32 for 3
    expect(x.pow(0.5).dtype).toBe('float32');
    expect(x.pow(3).tolist()).toEqual([8, 27]);
    expect(x.pow(3).dtype).toBe('int32');
    x.dispose();
  });
});

describe('div with rounding_mode: the refusals', () => {
  it("bool operands and an unknown mode raise PyTorch's errors", () => {
    const b = f.tensor([true], { dtype: 'bool' });
    const x = f.tensor([1.5]);
    expectRefusal(() => b.div(b, { roundingMode: 'trunc' }), /"div_trunc_cpu" not implemented for 'Bool'/);
    expectRefusal(() => f.div(b, b, { roundingMode: 'floor' }), /"div_floor_cpu" not implemented for 'Bool'/);
    expectRefusal(
      () => x.div(2, { roundingMode: 'xx' as 'trunc' }),
      /div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'xx'/,
    );
    // the in-place form keeps an int32 tensor int32 (torch: tensor([5, -5]).div_(2, rounding_mode='floor'))
    expect(f.tensor([5, -5], { dtype: 'int32' }).div_(2, { roundingMode: 'floor' }).tolist()).toEqual([2, -3]);
    b.dispose();
    x.dispose();
  });
});

describe('creation functions (differential sweep)', () => {
  it('linspace with one step is the start (torch.linspace(0, 1, 1) is [0.])', () => {
    expect(f.linspace(0, 1, 1).tolist()).toEqual([0]);
    expect(f.linspace(-2.5, 7, 1).tolist()).toEqual([-2.5]);
    expect(f.linspace(-1, 1, 5).tolist()).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe('int32 wraps around as in PyTorch (cpu: exact over the whole int32 range)', () => {
  // torch.int32 results of the same calls (torch 1.13)
  const i32 = (v: number[]) => f.tensor(v, { dtype: 'int32' });
  const big = [2 ** 30, -(2 ** 31), 2 ** 31 - 1, 123456789];
  it('add, sub, mul (products beyond 2^53 too), neg and abs of the int32 minimum', () => {
    expect(
      i32(big)
        .add(i32([2 ** 30, -1, 1, 2100000000]))
        .tolist(),
    ).toEqual([-2147483648, 2147483647, -2147483648, -2071510507]);
    expect(
      i32(big)
        .sub(i32([-(2 ** 30), 1, -1, -2100000000]))
        .tolist(),
    ).toEqual([-2147483648, 2147483647, -2147483648, -2071510507]);
    expect(
      i32(big)
        .mul(i32([4, 3, 2, 987654321]))
        .tolist(),
    ).toEqual([0, -2147483648, -2, -67153019]);
    expect(
      i32([-(2 ** 31), 5])
        .neg()
        .tolist(),
    ).toEqual([-2147483648, -5]);
    expect(
      i32([-(2 ** 31), -5])
        .abs()
        .tolist(),
    ).toEqual([-2147483648, 5]);
  });
  it('sum whose partial sums leave the int32 range', () => {
    expect(
      i32([2 ** 30, 2 ** 30, -(2 ** 30)])
        .sum()
        .item(),
    ).toBe(2 ** 30);
  });
});
