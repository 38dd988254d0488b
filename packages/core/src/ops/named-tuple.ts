/**
 * PyTorch returns (values, indices) as a named tuple: `values, indices = x.max(1)` and
 * `x.max(1)[1]` work as well as `.values` / `.indices`. The result here is a plain object with the
 * two fields (what tidy() looks into) that also destructures as an array and answers [0] and [1]
 * (non-enumerable, so it prints and compares as `{ values, indices }`).
 */
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';

const TUPLE_MEMBERS: PropertyDescriptorMap = {
  0: {
    get(this: MaxMinResult) {
      return this.values;
    },
  },
  1: {
    get(this: MaxMinResult) {
      return this.indices;
    },
  },
  length: { value: 2 },
  [Symbol.iterator]: {
    *value(this: MaxMinResult) {
      yield this.values;
      yield this.indices;
    },
  },
};

export function valuesIndices(values: Tensor, indices: Tensor): MaxMinResult {
  return Object.defineProperties({ values, indices }, TUPLE_MEMBERS) as MaxMinResult;
}
