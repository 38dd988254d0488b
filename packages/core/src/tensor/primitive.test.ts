import '@flint/backend-cpu';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tensor } from '../index.js';

/** What a JavaScript operator sees: TypeScript rejects `tensor + 1`, untyped code does not. */
const asOperand = (t: unknown): number => t as number;

describe('JavaScript operators on tensors (Symbol.toPrimitive)', () => {
  const x = tensor([1, 2, 3]);

  it("'default' hint: x + 1 and x == 1 throw a TypeError naming the methods", () => {
    expect(() => asOperand(x) + 1).toThrow(TypeError);
    expect(() => asOperand(x) + 1).toThrow(/shape \[3\].*x\.add\(1\).*x\.item\(\)/);
    // biome-ignore lint/suspicious/noDoubleEquals: loose equality is the operator under test
    expect(() => asOperand(x) == 1).toThrow(TypeError);
  });

  it("'number' hint: x * 2, x - 1, x < y, +x and Number(x) throw", () => {
    const y = tensor([0, 0, 0]);
    expect(() => asOperand(x) * 2).toThrow(/cannot be used as a JavaScript number.*x\.mul\(2\)/);
    expect(() => asOperand(x) - 1).toThrow(TypeError);
    expect(() => asOperand(x) < asOperand(y)).toThrow(/x\.lt\(y\)/);
    expect(() => +asOperand(x)).toThrow(TypeError);
    expect(() => Number(x)).toThrow(TypeError);
    expect(() => Math.max(asOperand(x), 1)).toThrow(TypeError);
  });

  it("'string' hint: template literals and String(x) print the tensor as toString() does", () => {
    expect(`${x}`).toBe(x.toString());
    expect(String(x)).toBe(x.toString());
    expect(`loss: ${tensor(0.5)}`).toBe('loss: tensor(0.5000)');
    expect([x].join()).toBe(x.toString());
    // console.log goes through util.inspect, which prints the tensor (not the object's fields).
    expect(inspect(x)).toBe(x.toString());
    expect(x.toString()).toBe('tensor([1., 2., 3.])');
  });
});
