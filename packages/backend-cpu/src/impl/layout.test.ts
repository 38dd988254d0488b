import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as L from './layout.js';
import * as X from './indexing.js';
import { broadcastIndex, expectEqual, randF32, randI32, ravel, size, unravel } from './test-reference.js';

function refPermute(x: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  return Array.from({ length: size(outShape) }, (_, i) => {
    const o = unravel(i, outShape);
    const src = new Array<number>(shape.length);
    perm.forEach((p, d) => {
      src[p] = o[d]!;
    });
    return x[ravel(src, shape)]!;
  });
}

describe('layout kernels', () => {
  it('permute: 2-D transpose (tiled path), 3-D/4-D, size-1 and empty dims, rank 0', () => {
    const cases: [number[], number[]][] = [
      [
        [70, 45],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [2, 3, 4],
        [1, 0, 2],
      ],
      [
        [2, 1, 3, 4],
        [3, 1, 0, 2],
      ],
      [
        [1, 5, 1, 6],
        [3, 2, 1, 0],
      ],
      [
        [3, 0, 2],
        [2, 1, 0],
      ],
      [[], []],
    ];
    for (const [shape, perm] of cases) {
      const x = randF32(size(shape), 1);
      expectEqual(L.permute(x, shape, perm), refPermute(x, shape, perm));
    }
    const xi = randI32(24, 2);
    const out = L.permute(xi, [2, 3, 4], [1, 2, 0]);
    expect(out).toBeInstanceOf(Int32Array);
    expectEqual(out, refPermute(xi, [2, 3, 4], [1, 2, 0]));
  });

  it('property: permute of random shapes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), fc.integer(), (shape, seed) => {
        const perm = shape.map((_, i) => i).sort((a, b) => ((a * 7 + seed) % 5) - ((b * 7 + seed) % 5));
        const x = randF32(size(shape), seed);
        expectEqual(L.permute(x, shape, perm), refPermute(x, shape, perm));
      }),
      { numRuns: 150 },
    );
  });

  it('slice with begin and step', () => {
    const shape = [5, 6, 3];
    const x = randF32(90, 3);
    const begin = [1, 0, 2];
    const step = [2, 3, 1];
    const outShape = [2, 2, 1];
    const expected = Array.from({ length: 4 }, (_, i) => {
      const o = unravel(i, outShape);
      return x[
        ravel(
          o.map((v, d) => begin[d]! + v * step[d]!),
          shape,
        )
      ]!;
    });
    expectEqual(L.slice(x, shape, begin, step, outShape), expected);
    expectEqual(L.slice(x, shape, [0, 0, 0], [1, 1, 1], [5, 0, 3]), []);
    expectEqual(L.slice(new Float32Array([7]), [], [], [], []), [7]);
    expectEqual(L.slice(randI32(6, 1), [6], [1], [1], [4]), Array.from(randI32(6, 1).subarray(1, 5)));
  });

  it('pad with a constant, including bool and empty inputs', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    expectEqual(
      L.pad(
        x,
        [2, 3],
        [
          [1, 0],
          [0, 2],
        ],
        -1,
      ),
      [-1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1, -1],
    );
    expectEqual(L.pad(new Uint8Array([1]), [1], [[1, 1]], 5), [1, 1, 1]);
    expectEqual(
      L.pad(
        new Float32Array(0),
        [0, 2],
        [
          [1, 0],
          [0, 0],
        ],
        9,
      ),
      [9, 9],
    );
    expectEqual(L.pad(new Float32Array([3]), [], [], 0), [3]);
  });

  it('concat along any axis (with empty parts)', () => {
    const a = randF32(6, 1);
    const b = randF32(4, 2);
    expectEqual(
      L.concat(
        [
          { data: a, shape: [2, 3] },
          { data: b, shape: [2, 2] },
        ],
        1,
        [2, 5],
        'float32',
      ),
      [a[0]!, a[1]!, a[2]!, b[0]!, b[1]!, a[3]!, a[4]!, a[5]!, b[2]!, b[3]!],
    );
    expectEqual(
      L.concat(
        [
          { data: a, shape: [2, 3] },
          { data: new Float32Array(0), shape: [0, 3] },
          { data: a, shape: [2, 3] },
        ],
        0,
        [4, 3],
        'float32',
      ),
      [...a, ...a],
    );
    const out = L.concat(
      [
        { data: new Int32Array([1]), shape: [1] },
        { data: new Int32Array([2, 3]), shape: [2] },
      ],
      0,
      [3],
      'int32',
    );
    expect(out).toBeInstanceOf(Int32Array);
    expectEqual(out, [1, 2, 3]);
  });

  it('expand to a broadcast shape (size-1, missing leading dims, rank 0, empty)', () => {
    const x = randF32(3, 1);
    const outShape = [2, 4, 3];
    expectEqual(
      L.expand(x, [1, 3], outShape),
      Array.from({ length: 24 }, (_, i) => x[broadcastIndex(unravel(i, outShape), [1, 3])]!),
    );
    const y = randF32(2, 2);
    expectEqual(L.expand(y, [2, 1], [2, 3]), [y[0]!, y[0]!, y[0]!, y[1]!, y[1]!, y[1]!]);
    expectEqual(L.expand(new Float32Array([4]), [], [2, 2]), [4, 4, 4, 4]);
    expectEqual(L.expand(x, [3], [0, 3]), []);
  });

  it('cast: truncation toward zero, x != 0 for bool, bool -> 0/1', () => {
    const x = new Float32Array([2.7, -2.7, 0.5, -0.5, 0, -0, NaN, 1e9]);
    const i = L.cast(x, 'int32');
    expect(i).toBeInstanceOf(Int32Array);
    expectEqual(i, [2, -2, 0, 0, 0, 0, 0, 1000000000]);
    expectEqual(L.cast(x, 'bool'), [1, 1, 1, 1, 0, 0, 1, 1]);
    expectEqual(L.cast(new Int32Array([0, -3, 5]), 'bool'), [0, 1, 1]);
    expectEqual(L.cast(new Uint8Array([0, 1]), 'float32'), [0, 1]);
    expectEqual(L.cast(new Int32Array([-3, 16777217]), 'float32'), [-3, 16777216]);
    expectEqual(L.cast(new Uint8Array([1, 0]), 'int32'), [1, 0]);
  });

  it('oneHot', () => {
    expectEqual(L.oneHot(new Int32Array([2, 0, 1]), 3, 'float32'), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(L.oneHot(new Int32Array([1]), 2, 'int32')).toBeInstanceOf(Int32Array);
    expectEqual(L.oneHot(new Int32Array(0), 4, 'float32'), []);
  });
});

describe('indexing kernels', () => {
  it('gather along each axis, index smaller than x', () => {
    const xShape = [3, 4, 2];
    const x = randF32(24, 5);
    const idxShape = [2, 3, 2];
    for (let axis = 0; axis < 3; axis++) {
      const index = randI32(12, 6 + axis, 0, xShape[axis]! - 1);
      const expected = Array.from({ length: 12 }, (_, k) => {
        const pos = unravel(k, idxShape);
        pos[axis] = index[k]!;
        return x[ravel(pos, xShape)]!;
      });
      expectEqual(X.gather(x, xShape, axis, index, idxShape), expected);
    }
    expectEqual(X.gather(x, xShape, 1, new Int32Array(0), [3, 0, 2]), []);
  });

  it('scatterAdd sums duplicates, leaves x untouched, src may be larger than index', () => {
    const xShape = [3, 4];
    const x = randF32(12, 7);
    const xCopy = x.slice();
    const index = new Int32Array([0, 0, 2, 0, 1, 1]);
    const idxShape = [2, 3];
    const srcShape = [2, 4];
    const src = randF32(8, 8);
    const expected = Array.from(x);
    for (let k = 0; k < 6; k++) {
      const [i, j] = unravel(k, idxShape) as [number, number];
      expected[index[k]! * 4 + j]! += src[i * 4 + j]!;
    }
    const out = X.scatterAdd(x, xShape, 0, index, idxShape, src, srcShape);
    for (let i = 0; i < 12; i++) expect(out[i]).toBeCloseTo(expected[i]!, 5);
    expectEqual(x, xCopy);
    const outI = X.scatterAdd(
      new Int32Array(4),
      [4],
      0,
      new Int32Array([3, 3, 0]),
      [3],
      new Int32Array([1, 2, 5]),
      [3],
    );
    expect(outI).toBeInstanceOf(Int32Array);
    expectEqual(outI, [5, 0, 0, 3]);
  });

  it('indexSelect along an axis, with repeats and an empty index', () => {
    const x = randF32(24, 9);
    const out = X.indexSelect(x, [2, 3, 4], 1, new Int32Array([2, 0, 2]));
    const expected = Array.from({ length: 24 }, (_, k) => {
      const [a, i, c] = unravel(k, [2, 3, 4]) as [number, number, number];
      return x[ravel([a, [2, 0, 2][i]!, c], [2, 3, 4])]!;
    });
    expectEqual(out, expected);
    expectEqual(X.indexSelect(new Int32Array([5, 6, 7]), [3], 0, new Int32Array([1])), [6]);
    expectEqual(X.indexSelect(x, [2, 3, 4], 0, new Int32Array(0)), []);
  });
});
