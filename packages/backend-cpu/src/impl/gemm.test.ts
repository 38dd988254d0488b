import fc from 'fast-check';
import type { TensorRef } from '@flint/core/backend';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { kernels } from '../kernels.js';
import { CpuStorage } from '../storage.js';
import { gemm, gemmImpl, setGemmImpl } from './gemm.js';
import { gemmJs, type MatrixView } from './gemm-js.js';
import { cpuThreads, setCpuThreads } from './gemm-threads.js';
import { readFileSync } from 'node:fs';
import {
  detectWasmSimd,
  gemmWasm,
  setWasmGemmBlocking,
  setWasmGemmFma,
  wasmFmaAvailable,
  wasmGemmMemoryBytes,
  wasmSimdAvailable,
} from './gemm-wasm.js';
import { type Heap, heap } from './heap.js';
import { matmul } from './matmul.js';
import { randF32, rng } from './test-reference.js';
import { at, expectMatches, type Gemm, type Problem, problem, run } from './test-gemm.js';

const gemmWasmOk: Gemm = (...args) => {
  expect(gemmWasm(...args)).toBe(true);
};

const impls: [string, Gemm][] = [['js', gemmJs]];
if (wasmSimdAvailable) impls.unshift(['wasm-simd', gemmWasmOk]);

describe('WebAssembly SIMD detection', () => {
  it('Node 20+ validates WebAssembly SIMD and the GEMM module loads', () => {
    expect(detectWasmSimd()).toBe(true);
    expect(wasmSimdAvailable).toBe(true);
    expect(gemmImpl()).toBe('wasm-simd');
  });

  it('FLINT_CPU_GEMM=js selects the JavaScript fallback at import', async () => {
    vi.resetModules();
    vi.stubEnv('FLINT_CPU_GEMM', 'js');
    try {
      const fresh = await import('./gemm.js');
      expect(fresh.gemmImpl()).toBe('js');
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('without WebAssembly the module falls back to JavaScript instead of failing to load', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const wasm = await import('./gemm-wasm.js');
      const fresh = await import('./gemm.js');
      expect(wasm.detectWasmSimd()).toBe(false);
      expect(wasm.wasmSimdAvailable).toBe(false);
      expect(fresh.gemmImpl()).toBe('js');
      expect(() => fresh.setGemmImpl('wasm-simd')).toThrow(/not available/);
      const p = problem(5, 6, 7, false, true, 3);
      const c = p.c.slice();
      fresh.gemm(p.M, p.N, p.K, p.a, p.b, c, p.cOff, p.ldc, p.accumulate);
      expectMatches(p, c);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe.each(impls)('%s gemm vs a float64 reference', (_name, impl) => {
  it('odd shapes: 1x1x1, primes, every transpose combination, offsets, strided accumulating destination', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 1, 7],
      [2, 3, 5],
      [7, 11, 13],
      [3, 17, 1],
      [13, 1, 19],
      [31, 37, 41],
      [4, 8, 4],
      [8, 16, 3],
      [67, 9, 29],
    ];
    let seed = 10;
    for (const [M, N, K] of shapes)
      for (const tA of [false, true])
        for (const tB of [false, true])
          for (const accumulate of [false, true]) {
            const p = problem(M, N, K, tA, tB, seed++, { pad: accumulate ? 3 : 0, accumulate });
            expectMatches(p, run(impl, p));
          }
  });

  it('block edges: K across the 256-deep slices, M across 64-row blocks, N across panels', () => {
    let seed = 100;
    for (const [M, N, K] of [
      [65, 9, 257],
      [129, 23, 513],
      [3, 130, 300],
    ] as [number, number, number][])
      for (const [tA, tB] of [
        [false, false],
        [true, true],
      ] as [boolean, boolean][]) {
        const p = problem(M, N, K, tA, tB, seed++, { pad: 1, accumulate: true });
        expectMatches(p, run(impl, p));
      }
  });

  it('0-size dims: M or N = 0 writes nothing, K = 0 zeroes (or keeps, accumulating) the block', () => {
    for (const [M, N, K] of [
      [0, 4, 3],
      [3, 0, 4],
      [0, 0, 0],
      [3, 4, 0],
    ] as [number, number, number][])
      for (const accumulate of [false, true]) {
        const p = problem(M, N, K, false, false, 7, { pad: 2, accumulate });
        expectMatches(p, run(impl, p));
      }
  });
});

describe('wasm-simd gemm specifics', () => {
  afterEach(() => {
    setWasmGemmBlocking({ MC: 64, KC: 256, NC: 2048 });
  });

  it('property: random shapes, transposes, offsets, strides and accumulation agree with float64', () => {
    const d = fc.integer({ min: 0, max: 40 });
    fc.assert(
      fc.property(
        d,
        d,
        d,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.integer(),
        (M, N, K, tA, tB, pad, accumulate, seed) => {
          const p = problem(M, N, K, tA, tB, seed, { pad, accumulate });
          expectMatches(p, run(impls[0]![1], p));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: small cache blocks exercise every blocking loop (MC, KC, NC) on odd shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(4, 8, 12),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(8, 16, 24),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (M, N, K, MC, KC, NC, tA, tB, seed) => {
          setWasmGemmBlocking({ MC, KC, NC });
          const p = problem(M, N, K, tA, tB, seed, { pad: 1, accumulate: true });
          expectMatches(p, run(impls[0]![1], p));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: M < 4 (the unpacked gemv kernels) over column blocks of 1, 4 and 16 and k chunks of 32 and 128', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.integer(),
        (M, N, K, tA, tB, pad, accumulate, seed) => {
          const p = problem(M, N, K, tA, tB, seed, { pad, accumulate });
          expectMatches(p, run(impls[0]![1], p));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gemv: a batch-1 linear layer and its input gradient (784 x 512) match float64', () => {
    for (const tB of [true, false])
      for (const accumulate of [false, true]) {
        const p = problem(1, 512, 784, false, tB, tB ? 11 : 12, { accumulate });
        expectMatches(p, run(impls[0]![1], p));
      }
  });

  it('NaN and infinity propagate to exactly the rows / columns they touch, as in the JS gemm', () => {
    const M = 6;
    const N = 10;
    const K = 5;
    const a = randF32(M * K, 1);
    const b = randF32(K * N, 2);
    a[2 * K + 3] = NaN; // row 2
    b[1 * N + 9] = Infinity; // column 9 (an edge panel)
    const av = { data: a, offset: 0, rs: K, cs: 1 };
    const bv = { data: b, offset: 0, rs: N, cs: 1 };
    const w = new Float32Array(M * N);
    const j = new Float32Array(M * N);
    gemmWasm(M, N, K, av, bv, w, 0, N, false);
    gemmJs(M, N, K, av, bv, j, 0, N, false);
    for (let i = 0; i < M; i++)
      for (let c = 0; c < N; c++) {
        const idx = i * N + c;
        expect(Number.isNaN(w[idx]!), `(${i},${c})`).toBe(i === 2);
        expect(Number.isNaN(j[idx]!), `(${i},${c})`).toBe(i === 2);
        if (i !== 2) expect(Number.isFinite(w[idx]!), `(${i},${c})`).toBe(c !== 9);
        if (!Number.isFinite(j[idx]!)) expect(w[idx]).toBe(j[idx]);
      }
  });

  it('memory grows for a bigger problem, then is reused (no growth on repeated calls)', () => {
    // one memory: under 'auto' the shared one would grow whenever the worker came up
    const threads = cpuThreads().setting;
    if (threads === 'auto') setCpuThreads(1);
    onTestFinished(() => {
      setCpuThreads(threads);
    });
    const small = problem(8, 8, 8, false, false, 1);
    expectMatches(small, run(impls[0]![1], small));
    const big = problem(150, 140, 300, true, false, 2);
    expectMatches(big, run(impls[0]![1], big));
    const bytes = wasmGemmMemoryBytes();
    // A and B as float32, C as float64
    expect(bytes).toBeGreaterThanOrEqual(4 * (150 * 300 + 300 * 140) + 8 * 150 * 140);
    for (let i = 0; i < 3; i++) expectMatches(big, run(impls[0]![1], big));
    expectMatches(small, run(impls[0]![1], small));
    expect(wasmGemmMemoryBytes()).toBe(bytes);
  });

  it('negative strides are declined by gemmWasm and handled by the JS fallback inside gemm', () => {
    const M = 5;
    const N = 4;
    const K = 3;
    // A read bottom-up: row i at offset (M-1-i)*K
    const p = problem(M, N, K, false, false, 9);
    const reversed: MatrixView = { data: p.a.data, offset: p.a.offset + (M - 1) * K, rs: -K, cs: 1 };
    const q: Problem = { ...p, a: reversed };
    const untouched = p.c.slice();
    expect(gemmWasm(q.M, q.N, q.K, q.a, q.b, untouched, q.cOff, q.ldc, q.accumulate)).toBe(false);
    expect(untouched).toEqual(p.c);
    expectMatches(q, run(gemm, q));
  });

  it('gemm dispatches to the selected implementation; batched matmul agrees across both', () => {
    const p = problem(33, 21, 45, true, false, 5, { pad: 2, accumulate: true });
    const prev = setGemmImpl('js');
    try {
      expect(run(gemm, p)).toEqual(run(gemmJs, p));
      setGemmImpl('wasm-simd');
      expect(run(gemm, p)).toEqual(run(impls[0]![1], p));
      // batched, broadcast: [3, 1, M, K] @ [2, K, N]^T
      const a = randF32(3 * 7 * 19, 1);
      const b = randF32(2 * 11 * 19, 2);
      const w = matmul(a, [3, 1, 7, 19], b, [2, 11, 19], false, true, [3, 2, 7, 11]) as Float32Array;
      setGemmImpl('js');
      const j = matmul(a, [3, 1, 7, 19], b, [2, 11, 19], false, true, [3, 2, 7, 11]) as Float32Array;
      for (let i = 0; i < w.length; i++)
        expect(Math.abs(w[i]! - j[i]!)).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(j[i]!)));
    } finally {
      setGemmImpl(prev);
    }
  });
});

describe.skipIf(!wasmSimdAvailable)('wasm-simd gemm: resident operands (live storages kept in wasm memory)', () => {
  /** C = A B with A = x (1 or 8 rows, so the gemv and the blocked path), B = w as [K, N] or its transpose. */
  const product = (x: Float32Array, w: Float32Array, M: number, K: number, N: number, tB: boolean): Problem => ({
    M,
    N,
    K,
    a: { data: x, offset: 0, rs: K, cs: 1 },
    b: { data: w, offset: 0, rs: tB ? 1 : N, cs: tB ? K : 1 },
    c: new Float32Array(M * N),
    cOff: 0,
    ldc: N,
    accumulate: false,
  });
  const cases: [number, boolean][] = [
    [1, true],
    [1, false],
    [8, true],
    [8, false],
  ];

  it.each(cases)(
    'M = %i, B^T %s: repeated calls, then an in-place write marked by written(), match float64',
    (M, tB) => {
      const K = 96;
      const N = 80;
      const w = randF32(K * N, 21);
      const x = randF32(M * K, 22);
      const storage = new CpuStorage(w, 'float32');
      const xs = new CpuStorage(x, 'float32');
      for (let call = 0; call < 4; call++)
        expectMatches(product(x, w, M, K, N, tB), run(gemmWasmOk, product(x, w, M, K, N, tB)));
      for (let i = 0; i < w.length; i += 3) w[i] = -w[i]! * 2;
      storage.written();
      for (let call = 0; call < 4; call++)
        expectMatches(product(x, w, M, K, N, tB), run(gemmWasmOk, product(x, w, M, K, N, tB)));
      xs.dispose();
      storage.dispose();
    },
  );

  it('an array freed and rewritten (as the buffer pool hands it to the next kernel) is not served from an old copy', () => {
    const K = 64;
    const N = 96;
    const w = randF32(K * N, 31);
    const x = randF32(K, 32);
    let storage = new CpuStorage(w, 'float32');
    for (let call = 0; call < 4; call++) run(gemmWasmOk, product(x, w, 1, K, N, true));
    storage.dispose();
    w.set(randF32(K * N, 33));
    // no storage wraps it now (a kernel's output under construction), then a new one does
    expectMatches(product(x, w, 1, K, N, true), run(gemmWasmOk, product(x, w, 1, K, N, true)));
    storage = new CpuStorage(w, 'float32');
    for (let call = 0; call < 4; call++) run(gemmWasmOk, product(x, w, 1, K, N, true));
    storage.dispose();
    w.set(randF32(K * N, 34));
    storage = new CpuStorage(w, 'float32');
    expectMatches(product(x, w, 1, K, N, true), run(gemmWasmOk, product(x, w, 1, K, N, true)));
    storage.dispose();
  });

  it('the optimizer kernels mark their writes: linear after sgdStep and adamStep uses the new weight', () => {
    const ref = (s: CpuStorage, shape: number[]): TensorRef<CpuStorage> => ({ storage: s, shape, dtype: s.dtype });
    const K = 128;
    const N = 64;
    const w = new CpuStorage(randF32(N * K, 41), 'float32');
    const g = new CpuStorage(randF32(N * K, 42), 'float32');
    const m = new CpuStorage(new Float32Array(N * K), 'float32');
    const v = new CpuStorage(new Float32Array(N * K), 'float32');
    const x = new CpuStorage(randF32(K, 43), 'float32');
    const linear = (): Float32Array => {
      const y = kernels.linear(ref(x, [1, K]), ref(w, [N, K]), null, [1, N]);
      const out = (y.data as Float32Array).slice();
      y.dispose();
      return out;
    };
    const check = (): void => {
      const wd = w.data as Float32Array;
      const p = product(x.data as Float32Array, wd, 1, K, N, true);
      expectMatches(p, linear());
    };
    for (let step = 0; step < 3; step++) {
      for (let call = 0; call < 4; call++) check();
      kernels.sgdStep(ref(w, [N, K]), ref(g, [N, K]), ref(m, [N, K]), {
        lr: 0.5,
        momentum: 0.9,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
        firstStep: step === 0,
      });
    }
    for (let step = 1; step <= 3; step++) {
      for (let call = 0; call < 4; call++) check();
      kernels.adamStep(ref(w, [N, K]), ref(g, [N, K]), ref(m, [N, K]), ref(v, [N, K]), null, {
        lr: 0.5,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0,
        decoupledWeightDecay: false,
        maximize: false,
        step,
      });
    }
    check();
    for (const s of [w, g, m, v, x]) s.dispose();
  });

  it('more resident data than the region holds (32 MiB) drops it whole and stays correct', () => {
    const K = 1024;
    const N = 2048; // 8 MiB per weight: five of them overflow the region
    const x = randF32(K, 51);
    const ws = [0, 1, 2, 3, 4].map((i) => new CpuStorage(randF32(K * N, 52 + i), 'float32'));
    for (let round = 0; round < 2; round++)
      for (const s of ws)
        for (let call = 0; call < 3; call++) {
          const w = s.data as Float32Array;
          const p = product(x, w, 1, K, N, round === 0);
          if (call === 2) expectMatches(p, run(gemmWasmOk, p));
          else run(gemmWasmOk, p);
        }
    for (const s of ws) s.dispose();
  });
});

describe.skipIf(!wasmSimdAvailable)('wasm-simd gemm: float32 C for K <= 64 (two 32-step chunks)', () => {
  /** One lane of the mul + add micro-kernel: float32 sums over k in [k0, k1), in k order. */
  function chunkSum(p: Problem, i: number, j: number, k0: number, k1: number): number {
    let s = 0;
    for (let k = k0; k < k1; k++) s = Math.fround(s + Math.fround(at(p.a, i, k) * at(p.b, k, j)));
    return s;
  }

  it("overwriting, K = 33..64 gives the float64 path's bits: the float32 sum of the two chunk sums, rounded once", () => {
    const prev = wasmFmaAvailable ? setWasmGemmFma(false) : false;
    try {
      for (let K = 33; K <= 64; K++) {
        // 9 x 13: full 4 x 8 tiles and edge tiles in both directions; every transpose layout
        const p = problem(9, 13, K, K % 2 === 1, K % 4 >= 2, 100 + K, { pad: 2 });
        const c = run(gemmWasmOk, p);
        expectMatches(p, c);
        for (let i = 0; i < p.M; i++)
          for (let j = 0; j < p.N; j++) {
            const want = Math.fround(chunkSum(p, i, j, 0, 32) + chunkSum(p, i, j, 32, K));
            const got = c[p.cOff + i * p.ldc + j]!;
            if (!Object.is(got, want)) expect.fail(`K=${K} C(${i},${j}) = ${got}, two-chunk float32 sum ${want}`);
          }
      }
    } finally {
      if (wasmFmaAvailable) setWasmGemmFma(prev);
    }
  });

  it('accumulating, K = 33..64 stays within the float32 dot-product bound of a float64 reference', () => {
    for (let K = 33; K <= 64; K++) {
      const p = problem(6 + (K % 5), 8 + (K % 11), K, K % 3 === 0, K % 2 === 0, 200 + K, { pad: 1, accumulate: true });
      expectMatches(p, run(gemmWasmOk, p));
    }
  });

  it('same-sign sums over K = 33..64 of 50 random constants, accumulated onto C, are within 5e-7 relative', () => {
    const r = rng(31);
    for (let t = 0; t < 50; t++) {
      const K = 33 + (t % 32);
      const v = Math.fround(r() * 2 ** Math.floor(r() * 16 - 8));
      const c0 = Math.fround(v * (1 + r() * 8));
      const a: MatrixView = { data: new Float32Array(8 * K).fill(v), offset: 0, rs: K, cs: 1 };
      const b: MatrixView = { data: new Float32Array(K * 16).fill(1), offset: 0, rs: 16, cs: 1 };
      const c = new Float32Array(8 * 16).fill(c0);
      expect(gemmWasm(8, 16, K, a, b, c, 0, 16, true)).toBe(true);
      const want = c0 + K * v;
      for (const x of c)
        if (!(Math.abs(x - want) <= 5e-7 * want)) expect.fail(`K=${K}: ${c0} + ${K} x ${v} = ${x}, want ${want}`);
    }
  });
});

describe.skipIf(!wasmSimdAvailable || heap === null)('wasm-simd gemm: operands in the storage heap, in place', () => {
  const h = heap as Heap;
  /**
   * A copy of `src` in the heap: the array the heap handed out (`shift` 0) or a view `shift`
   * elements into a longer one (a subarray: in the heap but not a whole block).
   */
  function toHeap(src: Float32Array, shift: number, taken: Float32Array[]): Float32Array {
    const whole = h.takeF32(src.length + shift + 3);
    if (whole === null) throw new Error('the test heap is full');
    taken.push(whole);
    whole.fill(Number.NaN); // elements past the view: a read of them would show
    whole.set(src, shift);
    return shift === 0 ? whole.subarray(0, src.length) : whole.subarray(shift, shift + src.length);
  }
  const release = (taken: Float32Array[]): void => {
    for (const a of taken) h.release(a);
  };
  const withData = (v: MatrixView, data: Float32Array): MatrixView => ({ ...v, data });

  it('property: A, B and C each in the heap or not, whole or a shifted view, give the copy path bit for bit', () => {
    const d = fc.integer({ min: 1, max: 24 });
    fc.assert(
      fc.property(
        d,
        d,
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.tuple(fc.integer({ min: -1, max: 3 }), fc.integer({ min: -1, max: 3 }), fc.integer({ min: -1, max: 3 })),
        fc.integer(),
        (M, N, K, tA, tB, pad, accumulate, [sa, sb, sc], seed) => {
          const p = problem(M, N, K, tA, tB, seed, { pad, accumulate });
          const copied = run(gemmWasmOk, p); // JS arrays: every operand copied in, C copied out
          const taken: Float32Array[] = [];
          try {
            const a = sa < 0 ? p.a : withData(p.a, toHeap(p.a.data, sa, taken));
            const b = sb < 0 ? p.b : withData(p.b, toHeap(p.b.data, sb, taken));
            const c = sc < 0 ? p.c.slice() : toHeap(p.c, sc, taken);
            expect(h.holds(c)).toBe(sc >= 0);
            gemmWasmOk(M, N, K, a, b, c, p.cOff, p.ldc, accumulate);
            expect(Array.from(c)).toEqual(Array.from(copied));
            expectMatches(p, c);
          } finally {
            release(taken);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('C overlapping A or B in the heap (accumulating into an operand) reads the operands before C is written', () => {
    for (const [M, K] of [
      [12, 12],
      [12, 40],
      [2, 12],
    ] as const) {
      const N = M;
      const src = randF32(M * K + K * N, 5);
      const taken: Float32Array[] = [];
      try {
        const shared = toHeap(src, 0, taken);
        // A is the first M x K block, B the rest; C is written over A's rows (ldc K)
        const view = (data: Float32Array): [MatrixView, MatrixView] => [
          { data, offset: 0, rs: K, cs: 1 },
          { data, offset: M * K, rs: N, cs: 1 },
        ];
        const js = src.slice();
        const [ja, jb] = view(js);
        gemmWasmOk(M, N, K, ja, jb, js, 0, K, true); // copy path: A and B copied before C is written
        const [ha, hb] = view(shared);
        gemmWasmOk(M, N, K, ha, hb, shared, 0, K, true);
        expect(Array.from(shared)).toEqual(Array.from(js));
      } finally {
        release(taken);
      }
    }
  });

  it('heap operands are not copied: the scratch block holds packing and C only, and stays put over calls', () => {
    const threads = cpuThreads().setting;
    setCpuThreads(1);
    onTestFinished(() => {
      setCpuThreads(threads);
    });
    const M = 200;
    const N = 180;
    const K = 320;
    const p = problem(M, N, K, false, true, 9);
    const taken: Float32Array[] = [];
    try {
      const a = withData(p.a, toHeap(p.a.data, 0, taken));
      const b = withData(p.b, toHeap(p.b.data, 0, taken));
      const c = toHeap(p.c, 0, taken);
      gemmWasmOk(M, N, K, a, b, c, 0, N, false);
      expectMatches(p, c);
      const bytes = wasmGemmMemoryBytes();
      for (let i = 0; i < 3; i++) gemmWasmOk(M, N, K, a, b, c, 0, N, false);
      expect(wasmGemmMemoryBytes()).toBe(bytes);
      expectMatches(p, c);
    } finally {
      release(taken);
    }
  });

  it('a heap too full for the scratch block: the call runs in a memory of its own, bit for bit', () => {
    const threads = cpuThreads().setting;
    setCpuThreads(1);
    onTestFinished(() => {
      setCpuThreads(threads);
    });
    const p = problem(100, 90, 700, true, false, 13, { accumulate: true, pad: 1 });
    const expected = run(gemmWasmOk, p);
    // fill the heap (allocation commits no pages), then a scratch block bigger than any before
    const blocks: number[] = [];
    for (const size of [2 ** 24, 2 ** 20, 2 ** 16, 64])
      for (let s = h.alloc(size); s >= 0; s = h.alloc(size)) blocks.push(s);
    try {
      // B's columns 12 M elements apart: a span (48 MB, copied) larger than any block so far
      const K = 3;
      const N = 4;
      const stride = 12_000_000;
      const bData = new Float32Array((N - 1) * stride + K);
      for (let j = 0; j < N; j++) bData.set(randF32(K, 20 + j), j * stride);
      const big: Problem = {
        ...problem(8, N, K, false, false, 14),
        b: { data: bData, offset: 0, rs: 1, cs: stride },
      };
      const before = wasmGemmMemoryBytes();
      expectMatches(big, run(gemmWasmOk, big));
      expect(wasmGemmMemoryBytes()).toBeGreaterThan(before);
      expect(Array.from(run(gemmWasmOk, p))).toEqual(Array.from(expected));
    } finally {
      for (const s of blocks) h.free(s);
    }
    expect(Array.from(run(gemmWasmOk, p))).toEqual(Array.from(expected));
  });
});

describe('relaxed-SIMD FMA micro-kernel (gemm-fma.wat)', () => {
  const wat = (name: string): string => readFileSync(new URL(`../wasm/${name}.wat`, import.meta.url), 'utf8');

  it("is gemm.wat's $kernel with every f32x4.add(c, f32x4.mul(a, b)) fused into f32x4.relaxed_madd(a, b, c)", () => {
    const main = wat('gemm');
    const kernel = main.slice(main.indexOf('  (func $kernel '), main.indexOf('  ;; One micro-tile'));
    const fused = kernel
      .replace(
        /\(f32x4\.add \(local\.get (\$c\d\d)\) \(f32x4\.mul \(local\.get \$a\) \(local\.get (\$b\d)\)\)\)/g,
        '(f32x4.relaxed_madd (local.get $a) (local.get $2) (local.get $1))',
      )
      .replace('(func $kernel ', '(func (export "kernel") ');
    const fma = wat('gemm-fma');
    const body = fma.slice(fma.indexOf('  (func (export "kernel") '));
    expect(fused).not.toContain('f32x4.mul');
    expect(body.trimEnd()).toBe(`${fused.trimEnd()})`);
  });

  it('loads exactly where the engine validates relaxed SIMD (Node 22+; Node 20 without flags: no)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (wasmSimdAvailable && major >= 22) expect(wasmFmaAvailable).toBe(true);
    if (major === 20 && !process.execArgv.some((a) => a.includes('relaxed'))) expect(wasmFmaAvailable).toBe(false);
    if (!wasmFmaAvailable) expect(() => setWasmGemmFma(true)).toThrow(/relaxed SIMD/);
  });

  it.skipIf(!wasmFmaAvailable)('property: with FMA and with mul + add, random shapes agree with float64', () => {
    const prev = setWasmGemmFma(true);
    try {
      for (const on of [true, false]) {
        setWasmGemmFma(on);
        const d = fc.integer({ min: 0, max: 40 });
        fc.assert(
          fc.property(
            d,
            d,
            d,
            fc.boolean(),
            fc.boolean(),
            fc.boolean(),
            fc.integer(),
            (M, N, K, tA, tB, accumulate, seed) => {
              const p = problem(M, N, K, tA, tB, seed, { pad: 1, accumulate });
              expectMatches(p, run(gemmWasmOk, p));
            },
          ),
          { numRuns: 100 },
        );
        const big = problem(70, 90, 600, false, true, 7);
        expectMatches(big, run(gemmWasmOk, big));
      }
    } finally {
      setWasmGemmFma(prev);
    }
  });
});
