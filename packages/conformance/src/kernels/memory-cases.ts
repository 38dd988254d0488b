/** Cases for write, read, readSync, dispose, fill, copy. */
import { expect } from 'vitest';
import type { DataArray, DType, Shape } from '@flint/core/backend';
import { compareData } from '../compare.js';
import { host, randbool, randint, randn, Rng, toDataArray, type HostTensor } from '../reference/index.js';
import { kc, sh, type CaseContext, type ComputeCase, type CustomCase, type KernelCase } from './types.js';

const rng = new Rng(9000);
const EXACT = { rtol: 0, atol: 0 };

function expectSame(actual: DataArray, expected: HostTensor, label: string): void {
  const problems = compareData(actual, expected, EXACT, label);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

const ROUNDTRIPS: [string, HostTensor][] = [
  ['float32 [3,4]', randn(rng, [3, 4])],
  ['float32 rank-0', randn(rng, [])],
  ['float32 empty [2,0,3]', randn(rng, [2, 0, 3])],
  ['float32 size-1 [1,1]', randn(rng, [1, 1])],
  [
    'float32 special values',
    host([9], 'float32', [NaN, Infinity, -Infinity, -0, 3.4e38, -3.4e38, 1e-38, 1.4e-45, 1e-30]),
  ],
  ['float32 [1001]', randn(rng, [1001])],
  ['int32 [2,3]', randint(rng, [2, 3], -1000, 1000)],
  ['int32 extremes', host([5], 'int32', [2147483647, -2147483648, 16777217, -16777217, 0])],
  ['int32 rank-0', host([], 'int32', [42])],
  ['bool [5]', randbool(rng, [5])],
  ['bool rank-0', host([], 'bool', [1])],
];

function custom(name: string, body: (ctx: CaseContext) => Promise<void>): CustomCase {
  return { name, body };
}

function ref(storage: unknown, t: { shape: Shape; dtype: DType }) {
  return { storage, shape: t.shape, dtype: t.dtype };
}

export function writeCases(): KernelCase[] {
  return [
    ...ROUNDTRIPS.map(([name, t]) =>
      custom(`write then read: ${name}`, async ({ kernels: k }) => {
        const s = k.write(toDataArray(t), t.shape, t.dtype);
        try {
          expectSame(await k.read(ref(s, t)), t, 'read');
        } finally {
          k.dispose(s);
        }
      }),
    ),
    custom('write copies: the caller may reuse its array', async ({ kernels: k }) => {
      const t = randn(rng, [2, 5]);
      const arr = toDataArray(t);
      const s = k.write(arr, t.shape, t.dtype);
      arr.fill(123);
      try {
        expectSame(await k.read(ref(s, t)), t, 'read after the source array changed');
      } finally {
        k.dispose(s);
      }
    }),
  ];
}

export function readCases(): KernelCase[] {
  return [
    custom('read returns a fresh array owned by the caller', async ({ kernels: k }) => {
      const t = randn(rng, [4]);
      const s = k.write(toDataArray(t), t.shape, t.dtype);
      try {
        const first = await k.read(ref(s, t));
        first.fill(7);
        expectSame(await k.read(ref(s, t)), t, 'second read');
      } finally {
        k.dispose(s);
      }
    }),
    custom('read of a computed result (add) before and after other work', async ({ kernels: k }) => {
      const a = randn(rng, [3]);
      const s = k.write(toDataArray(a), a.shape, a.dtype);
      const sum = k.add(ref(s, a), ref(s, a), a.shape);
      const other = k.mul(ref(s, a), ref(s, a), a.shape);
      try {
        expectSame(
          await k.read(ref(sum, a)),
          host(
            a.shape,
            'float32',
            a.data.map((v) => 2 * v),
          ),
          'a + a',
        );
      } finally {
        k.dispose(s);
        k.dispose(sum);
        k.dispose(other);
      }
    }),
  ];
}

export function readSyncCases(): KernelCase[] {
  return ROUNDTRIPS.map(([name, t]) =>
    custom(`readSync agrees with read (or throws a clear Error): ${name}`, async ({ kernels: k }) => {
      const s = k.write(toDataArray(t), t.shape, t.dtype);
      const twice = t.dtype === 'float32' ? k.add(ref(s, t), ref(s, t), t.shape) : null;
      try {
        let sync: DataArray;
        try {
          sync = k.readSync(ref(s, t));
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.length).toBeGreaterThan(10);
          return;
        }
        expectSame(sync, t, 'readSync');
        expectSame(await k.read(ref(s, t)), t, 'read');
        if (twice !== null) {
          const viaSync = k.readSync(ref(twice, t));
          const viaAsync = await k.read(ref(twice, t));
          expect(Array.from(viaSync)).toEqual(Array.from(viaAsync));
        }
      } finally {
        k.dispose(s);
        if (twice !== null) k.dispose(twice);
      }
    }),
  );
}

export function disposeCases(): KernelCase[] {
  return [
    custom('dispose releases handles and bytes', async ({ backend, kernels: k }) => {
      const before = backend.memory();
      const ts = [randn(rng, [16, 16]), randint(rng, [7], 0, 9), randbool(rng, [3]), randn(rng, [])];
      const ss = ts.map((t) => k.write(toDataArray(t), t.shape, t.dtype));
      const during = backend.memory();
      expect(during.handles).toBe(before.handles + ts.length);
      expect(during.bytes).toBeGreaterThan(before.bytes);
      for (const s of ss) k.dispose(s);
      const after = backend.memory();
      expect(after.handles).toBe(before.handles);
      expect(after.bytes).toBe(before.bytes);
    }),
    custom('dispose of an input leaves a computed output intact', async ({ kernels: k }) => {
      const t = randn(rng, [2, 3]);
      const s = k.write(toDataArray(t), t.shape, t.dtype);
      const n = k.neg(ref(s, t));
      k.dispose(s);
      try {
        expectSame(
          await k.read(ref(n, t)),
          host(
            t.shape,
            'float32',
            t.data.map((v) => -v),
          ),
          'neg after input disposed',
        );
      } finally {
        k.dispose(n);
      }
    }),
  ];
}

export function fillCases(): ComputeCase[] {
  const one = (shape: Shape, dtype: DType, value: number): ComputeCase =>
    kc(
      `fill ${dtype} ${sh(shape)} with ${value}`,
      [],
      (k) => [k.fill(shape, dtype, value)],
      () => [host(shape, dtype, new Array(shape.reduce((a, b) => a * b, 1)).fill(value))],
    );
  return [
    one([2, 3], 'float32', 2.5),
    one([], 'float32', -1e30),
    one([0, 4], 'float32', 1),
    one([1000], 'float32', -Infinity),
    one([3], 'float32', NaN),
    one([2, 2], 'int32', -7),
    one([3], 'int32', 2147483647),
    one([4], 'bool', 1),
    one([2, 1], 'bool', 0),
  ];
}

export function copyCases(): KernelCase[] {
  const one = (name: string, t: HostTensor): ComputeCase =>
    kc(
      `copy ${name}`,
      [t],
      (k, [a]) => [k.copy(a!)],
      () => [t],
    );
  return [
    one('float32 [3,4]', randn(rng, [3, 4])),
    one('float32 rank-0', randn(rng, [])),
    one('float32 empty [0,2]', randn(rng, [0, 2])),
    one('int32 [5]', randint(rng, [5], -1e6, 1e6)),
    one('bool [2,2]', randbool(rng, [2, 2])),
    custom('copy survives disposal of the original', async ({ kernels: k }) => {
      const t = randn(rng, [5]);
      const s = k.write(toDataArray(t), t.shape, t.dtype);
      const c = k.copy(ref(s, t));
      k.dispose(s);
      try {
        expectSame(await k.read(ref(c, t)), t, 'copy');
      } finally {
        k.dispose(c);
      }
    }),
  ];
}
