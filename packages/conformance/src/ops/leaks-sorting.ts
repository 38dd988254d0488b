/**
 * Leak-sweep builders (see leaks.ts) for sorting, selection and the cumulative scans (core's
 * ops/sorting.ts and ops/scan.ts): every method and free function, with variants for the dtype
 * paths (float with gradients, int32, bool) and argument forms each takes.
 */
import type { LeakBuilder, LeakInputs } from './leaks.js';

type Call = (...args: unknown[]) => unknown;
type Variants = Record<string, (m: LeakInputs, call: Call) => unknown>;

/** The same variants as a method ('Tensor.x') and a free function ('x'). */
function both(name: string, variants: Variants): Record<string, LeakBuilder> {
  const method =
    () =>
    (self: unknown, ...args: unknown[]) =>
      ((self as Record<string, Call>)[name] as Call).apply(self, args);
  const free = (m: LeakInputs) => (m.api as unknown as Record<string, Call>)[name] as Call;
  const build = (make: (m: LeakInputs) => Call): LeakBuilder =>
    Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, (m: LeakInputs) => v(m, make(m))]));
  return { [`Tensor.${name}`]: build(method), [name]: build(free) };
}

export function sortingBuilders(): Record<string, LeakBuilder> {
  return {
    ...both('sort', {
      float: (m, call) => call(m.f([3, 4]), 1),
      'descending, options': (m, call) => call(m.f([3, 4]), { dim: 0, descending: true, stable: true }),
      int32: (m, call) => call(m.i([3, 1, 2, 1]), -1, true),
      bool: (m, call) => call(m.b([1, 0, 1])),
      'rank-0': (m, call) => call(m.f([])),
    }),
    ...both('argsort', {
      float: (m, call) => call(m.f([3, 4]), 1, true),
      int32: (m, call) => call(m.i([3, 1, 2, 1])),
    }),
    ...both('msort', { float: (m, call) => call(m.f([3, 2])) }),
    ...both('topk', {
      float: (m, call) => call(m.f([3, 5]), 2),
      'smallest, options': (m, call) => call(m.f([3, 5]), 3, { dim: 0, largest: false }),
      int32: (m, call) => call(m.i([3, 1, 2, 1]), 2),
    }),
    ...both('kthvalue', {
      float: (m, call) => call(m.f([3, 5]), 2),
      keepdim: (m, call) => call(m.f([3, 5]), 1, 0, true),
    }),
    ...both('median', {
      all: (m, call) => call(m.f([3, 4])),
      dim: (m, call) => call(m.f([3, 4]), 1),
      'keepdim, int32': (m, call) => call(m.i([3, 1, 2, 1], [2, 2]), 0, true),
      empty: (m, call) => call(m.f([0])),
    }),
    ...both('nanmedian', {
      all: (m, call) => call(m.f([3, 4])),
      dim: (m, call) => call(m.f([3, 4]), 0, true),
    }),
    ...both('mode', {
      float: (m, call) => call(m.f([3, 4])),
      'int32, keepdim': (m, call) => call(m.i([1, 2, 2, 1, 3, 3], [2, 3]), 0, true),
    }),
    ...both('cumsum', {
      float: (m, call) => call(m.f([3, 4]), 1),
      int32: (m, call) => call(m.i([1, 2, 3]), 0),
      'bool to float32': (m, call) => call(m.b([1, 0, 1]), 0, { dtype: 'float32' }),
    }),
    ...both('cumprod', {
      float: (m, call) => call(m.f([3, 4]), 0),
      'zeros (the backward with zeros)': (m, call) =>
        call(m.track(m.f([2, 3]).mul(m.i([1, 0, 1, 0, 0, 1], [2, 3]))), 1),
      int32: (m, call) => call(m.i([1, 2, 3]), 0),
    }),
    ...both('cummax', {
      float: (m, call) => call(m.f([3, 4]), 1),
      bool: (m, call) => call(m.b([0, 1, 0]), 0),
    }),
    ...both('cummin', {
      float: (m, call) => call(m.f([3, 4]), 0),
      int32: (m, call) => call(m.i([3, 1, 2]), 0),
    }),
  };
}
