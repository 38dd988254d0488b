// Tensors near and past 2^24 elements (issue 9). gpu.js computes a kernel's local values in
// float32, whose integers are exact only below 2^24, so index arithmetic must stay exact by other
// means (wide.ts). Every value is checked exactly (integer-valued data) or against a float64
// reference. Both engines run every check; each engine's backend is destroyed afterwards to free
// its memory (a 47M-element texture is 750 MB of RGBA float32 on headless-gl).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arange } from '@flint/core';
import type { DataArray, DType, Shape } from '@flint/core/backend';
import { createGpujsBackend, type GpujsBackend, type GpuStorage } from './index.js';

const ref = (storage: GpuStorage, shape: Shape, dtype: DType = 'float32') => ({ storage, shape, dtype });

/** The first index where `got` differs from `want(i)`, with both values; null when all agree. */
function firstMismatch(got: DataArray, n: number, want: (i: number) => number): string | null {
  if (got.length !== n) return `length ${got.length}, expected ${n}`;
  for (let i = 0; i < n; i++) if (got[i] !== want(i)) return `[${i}] got ${got[i]}, expected ${want(i)}`;
  return null;
}

const ROWS = 60_000;
const COLS = 784;
const N47 = ROWS * COLS; // Fashion-MNIST's training images as one tensor: 47,040,000 elements
const N20 = 20_000_000;
/** Integer-valued pixels whose neighbours differ, so an element read from a wrong index shows. */
const pixel = (i: number) => i % 251;

describe.each([['headlessgl'], ['webasm']] as const)('past 2^24 elements on %s', (mode) => {
  let b: GpujsBackend;
  beforeAll(() => {
    b = createGpujsBackend({ mode, quiet: true });
    expect(b.engine()).toBe(mode);
  });
  afterAll(() => b.destroy());

  it('8.4M elements (below 2^24): a broadcast walk past 2^23 splits indices exactly', () => {
    // i + 0.5 is not a float32 above 2^23: floor((i + 0.5) / d) gave i / d + 1 at i = 2^23 + 1.
    const k = b.kernels;
    const d = 2 ** 22 + 1;
    const a = k.write(
      Float32Array.from({ length: 2 * d }, (_, i) => pixel(i)),
      [2, d],
      'float32',
    );
    const row = k.write(
      Float32Array.from({ length: d }, (_, i) => (i % 7) * 1000),
      [d],
      'float32',
    );
    const out = k.add(ref(a, [2, d]), ref(row, [d]), [2, d]);
    expect(firstMismatch(k.readSync(ref(out, [2, d])), 2 * d, (i) => pixel(i) + ((i % d) % 7) * 1000)).toBeNull();
    for (const s of [a, row, out]) k.dispose(s);
  });

  it('20M elements: arange values, a broadcast add and a sum; argmax past 2^24 is refused', () => {
    const k = b.kernels;
    const x = k.write(
      Float32Array.from({ length: N20 }, (_, i) => i),
      [N20],
      'float32',
    );
    const X = ref(x, [N20]);
    // float32 holds i exactly below 2^24 and rounds it to even above, as torch.arange does in float32.
    expect(firstMismatch(k.readSync(X), N20, (i) => Math.fround(i))).toBeNull();
    const one = k.write(new Float32Array([1]), [1], 'float32');
    const y = k.add(X, ref(one, [1]), [N20]);
    const last = k.readSync(ref(k.slice(ref(y, [N20]), [N20 - 4], [1], [4]), [4]));
    expect(Array.from(last)).toEqual(
      [19_999_996, 19_999_997, 19_999_998, 19_999_999].map((i) => Math.fround(Math.fround(i) + 1)),
    );
    expect(firstMismatch(k.readSync(ref(y, [N20])), N20, (i) => Math.fround(Math.fround(i) + 1))).toBeNull();
    let want = 0;
    for (let i = 0; i < N20; i++) want += Math.fround(i);
    const total = k.readSync(ref(k.sum(X, [0]), []))[0]!;
    expect(Math.abs(total - want) / want).toBeLessThanOrEqual(1e-6);
    expect(() => k.argmax(X, 0)).toThrow(/argmax along an axis of 20000000 elements.*2\^24/);
    for (const s of [x, one, y]) k.dispose(s);
  });

  describe('47M elements: a [60000, 784] tensor', () => {
    let x: GpuStorage;
    const X = () => ref(x, [ROWS, COLS]);
    beforeAll(() => {
      x = b.kernels.write(
        Float32Array.from({ length: N47 }, (_, i) => pixel(i)),
        [ROWS, COLS],
        'float32',
      );
    });
    afterAll(() => b.kernels.dispose(x));

    it('uploads and reads back every element', () => {
      expect(firstMismatch(b.kernels.readSync(X()), N47, pixel)).toBeNull();
    });

    it('broadcast add of a row, then row sums and column sums (exact integers)', () => {
      const k = b.kernels;
      const row = k.write(
        Float32Array.from({ length: COLS }, (_, j) => j),
        [COLS],
        'float32',
      );
      const y = k.add(X(), ref(row, [COLS]), [ROWS, COLS]);
      const rowSums = k.readSync(ref(k.sum(ref(y, [ROWS, COLS]), [1]), [ROWS]));
      const colSums = k.readSync(ref(k.sum(X(), [0]), [COLS]));
      const wantRows = new Float64Array(ROWS);
      const wantCols = new Float64Array(COLS);
      for (let r = 0; r < ROWS; r++) {
        for (let j = 0; j < COLS; j++) {
          const v = pixel(r * COLS + j);
          wantRows[r]! += v + j;
          wantCols[j]! += v;
        }
      }
      expect(firstMismatch(rowSums, ROWS, (r) => wantRows[r]!)).toBeNull();
      expect(firstMismatch(colSums, COLS, (j) => wantCols[j]!)).toBeNull();
      const total = k.readSync(ref(k.sum(X(), [0, 1]), []))[0]!;
      const want = wantCols.reduce((s, v) => s + v, 0);
      expect(Math.abs(total - want) / want).toBeLessThanOrEqual(1e-6);
      for (const s of [row, y]) k.dispose(s);
    });

    it('matmul by a [784, 3] matrix (exact integers)', () => {
      const k = b.kernels;
      const w = Float32Array.from({ length: COLS * 3 }, (_, i) => (Math.floor(i / 3) + (i % 3)) % 5);
      const W = k.write(w, [COLS, 3], 'float32');
      const out = k.readSync(ref(k.matmul(X(), ref(W, [COLS, 3]), false, false, [ROWS, 3]), [ROWS, 3]));
      expect(
        firstMismatch(out, ROWS * 3, (i) => {
          const r = Math.floor(i / 3);
          let s = 0;
          for (let j = 0; j < COLS; j++) s += pixel(r * COLS + j) * w[j * 3 + (i % 3)]!;
          return s;
        }),
      ).toBeNull();
      k.dispose(W);
    });

    it('slices and selects rows past element 2^24 (a batch from the whole training set)', () => {
      const k = b.kernels;
      const sl = k.readSync(ref(k.slice(X(), [ROWS - 3, 1], [1, 2], [3, 392]), [3, 392]));
      expect(
        firstMismatch(sl, 3 * 392, (i) => pixel((ROWS - 3 + Math.floor(i / 392)) * COLS + 1 + 2 * (i % 392))),
      ).toBeNull();
      const rows = [59_999, 0, 30_000, 21_400, 21_399];
      const idx = k.write(Int32Array.from(rows), [rows.length], 'int32');
      const sel = k.readSync(ref(k.indexSelect!(X(), 0, ref(idx, [rows.length], 'int32')), [rows.length, COLS]));
      expect(
        firstMismatch(sel, rows.length * COLS, (i) => pixel(rows[Math.floor(i / COLS)]! * COLS + (i % COLS))),
      ).toBeNull();
      k.dispose(idx);
    });
  });

  it('refuses a tensor past 2^28 elements, naming the limit', () => {
    expect(() => b.kernels.fill([2 ** 28 + 1], 'float32', 0)).toThrow(/268435457 elements.*2\^28/);
  });
});

describe('core on the default instance', () => {
  it('arange(20_000_000) reads back its last elements', () => {
    const t = arange(N20, undefined, 1, { device: 'gpujs' });
    expect(t.device).toBe('gpujs');
    const got = t.dataSync();
    expect(Array.from(got.subarray(N20 - 3))).toEqual([19_999_997, 19_999_998, 19_999_999].map(Math.fround));
    const tail = t.slice(0, N20 - 2).add(1);
    expect(Array.from(tail.dataSync())).toEqual([19_999_998, 19_999_999].map((i) => Math.fround(Math.fround(i) + 1)));
    t.dispose();
    tail.dispose();
  });
});
