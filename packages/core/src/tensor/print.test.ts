import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../backend/kernels.js';
import { fromArray } from './create.js';

interface PrintCase {
  data: (number | string | boolean)[];
  shape: number[];
  dtype: DType;
  str: string;
}

// How PyTorch prints these tensors (fixtures/print.py; int32 shows no dtype suffix in Flint,
// where int32 is the default integer type).
const cases = JSON.parse(readFileSync(new URL('./fixtures/print.json', import.meta.url), 'utf8')) as Record<
  string,
  PrintCase
>;

describe('toString prints like PyTorch', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const values = c.data.map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v)));
      const arr =
        c.dtype === 'float32'
          ? Float32Array.from(values)
          : c.dtype === 'int32'
            ? Int32Array.from(values)
            : Uint8Array.from(values);
      expect(fromArray(arr, c.shape, { dtype: c.dtype }).toString()).toBe(c.str);
    });
  }

  it('marks tensors that require grad and results of ops', () => {
    const x = fromArray(Float32Array.from([1, 2]), [2], { requiresGrad: true });
    expect(x.toString()).toBe('tensor([1., 2.], requires_grad=True)');
    expect(x.mul(2).toString()).toBe('tensor([2., 4.], grad_fn=<MulBackward>)');
  });
});
