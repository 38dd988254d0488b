/**
 * Per-kernel tests: every case runs the same kernel call on Flint's CPU backend (the reference for
 * values) and on this backend, on the engine a test file picks. Focus: what the tfjs mapping makes
 * tricky (conv/pool geometry, composed kernels, native-vs-composed paths, dtype quirks of wasm,
 * storage views with another shape, leaks). Not part of the build (test-* files are excluded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conv2dParams, DataArray, DType, Kernels, Pool2dParams, Shape, TensorRef } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import { cpuBackend } from '@flint/backend-cpu';
import { createTfjsBackend, type TfjsBackend } from './index.js';
import type { TfjsEngine } from './engine.js';
import { tf } from './tf.js';

type AnyKernels = Kernels<unknown>;
type AnyRef = TensorRef<unknown>;
interface HostInput {
  readonly data: ArrayLike<number>;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Upload with a different storage shape and hand the kernel a view (core's metadata-only reshape). */
  readonly storageShape?: Shape;
}
type Call = (k: AnyKernels, x: AnyRef[]) => unknown;

/** Deterministic inputs (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let seed = 1;
export function randn(shape: Shape, scale = 1): HostInput {
  const r = rng(seed++);
  const data = Float32Array.from({ length: sizeOf(shape) }, () => {
    const u = Math.max(r(), 1e-12);
    return scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  });
  return { data, shape, dtype: 'float32' };
}
export function ints(shape: Shape, lo: number, hi: number): HostInput {
  const r = rng(seed++);
  return {
    data: Int32Array.from({ length: sizeOf(shape) }, () => lo + Math.floor(r() * (hi - lo))),
    shape,
    dtype: 'int32',
  };
}
export function bools(shape: Shape): HostInput {
  const r = rng(seed++);
  return { data: Uint8Array.from({ length: sizeOf(shape) }, () => (r() < 0.5 ? 1 : 0)), shape, dtype: 'bool' };
}
export const f32 = (data: number[], shape: Shape): HostInput => ({ data, shape, dtype: 'float32' });

function upload(k: AnyKernels, t: HostInput): AnyRef {
  const arr: DataArray =
    t.dtype === 'float32'
      ? Float32Array.from(t.data)
      : t.dtype === 'int32'
        ? Int32Array.from(t.data)
        : Uint8Array.from(t.data);
  const storage = k.write(arr, t.storageShape ?? t.shape, t.dtype);
  return { storage, shape: t.shape, dtype: t.dtype };
}

function outputsOf(result: unknown): unknown[] {
  if (result !== null && typeof result === 'object' && 'values' in result && 'indices' in result) {
    const r = result as { values: unknown; indices: unknown };
    return [r.values, r.indices];
  }
  return [result];
}

interface Tol {
  rtol: number;
  atol: number;
}
const EXACT: Tol = { rtol: 0, atol: 0 };
const FLOAT: Tol = { rtol: 1e-4, atol: 1e-5 };

function compare(name: string, got: DataArray, want: DataArray, tol: Tol): void {
  expect(got.constructor.name, `${name}: array type`).toBe(want.constructor.name);
  expect(got.length, `${name}: length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w)) continue;
    if (bad.length < 5) bad.push(`[${i}] got ${g}, want ${w}`);
    else break;
  }
  expect(bad, `${name}: values`).toEqual([]);
}

export function describeKernels(engine: TfjsEngine): void {
  let tfjs: TfjsBackend;
  let cases = 0;
  const cpu = cpuBackend.kernels as unknown as AnyKernels;

  beforeAll(async () => {
    tfjs = createTfjsBackend({ engine });
    await tfjs.init();
  });
  afterAll(() => {
    console.log(`backend-tfjs kernel tests on engine '${tfjs.engine()}': ${cases} cases vs @flint/backend-cpu`);
  });

  /** One case: same call on both backends, outputs compared, inputs/outputs disposed, no tf.Tensor leaked. */
  const check = (name: string, inputs: () => HostInput[], call: Call, tol: Tol = FLOAT) => {
    it(name, async () => {
      const host = inputs();
      const tk = tfjs.kernels as unknown as AnyKernels;
      const before = tf.memory().numTensors;
      const cIn = host.map((h) => upload(cpu, h));
      const tIn = host.map((h) => upload(tk, h));
      const want = outputsOf(call(cpu, cIn)) as unknown[];
      const got = outputsOf(call(tk, tIn)) as unknown[];
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        const wRef = { storage: want[i], shape: [], dtype: 'float32' } as AnyRef;
        const gRef = { storage: got[i], shape: [], dtype: 'float32' } as AnyRef;
        const w = await cpu.read({ ...wRef, dtype: dtypeOfCpu(want[i]) });
        const gDtype = (got[i] as tf.Tensor).dtype as DType;
        expect(gDtype, `${name}: output ${i} dtype`).toBe(dtypeOfCpu(want[i]));
        const g = await tk.read({ ...gRef, dtype: gDtype });
        const gs = tk.readSync({ ...gRef, dtype: gDtype });
        compare(`${name} output ${i}`, g, w, gDtype === 'float32' ? tol : EXACT);
        compare(`${name} output ${i} (readSync)`, gs, g, EXACT);
      }
      for (const r of tIn) expect((r.storage as tf.Tensor).isDisposed, `${name}: kernel freed an input`).toBe(false);
      for (const s of got) tk.dispose(s);
      for (const r of tIn) tk.dispose(r.storage);
      for (const s of want) cpu.dispose(s);
      for (const r of cIn) cpu.dispose(r.storage);
      expect(tf.memory().numTensors, `${name}: tf.Tensors leaked`).toBe(before);
      cases++;
    });
  };

  it(`runs on the '${engine}' engine`, () => {
    expect(tfjs.engine()).toBe(engine);
    expect(tf.getBackend()).toBe(engine);
    expect(tfjs.priority()).toBe({ tensorflow: 100, wasm: 30, cpu: 20 }[engine]);
    cases++;
  });

  describe('elementwise', () => {
    const unary = [
      'neg',
      'abs',
      'sign',
      'exp',
      'sqrt',
      'rsqrt',
      'reciprocal',
      'square',
      'sin',
      'cos',
      'tanh',
      'sigmoid',
      'relu',
      'gelu',
      'erf',
      'floor',
      'ceil',
      'round',
      'expm1',
    ] as const;
    for (const op of unary)
      check(
        `${op} [3,5]`,
        () => [randn([3, 5], 2)],
        (k, [x]) => k[op](x!),
      );
    check(
      'log / log1p of positive values',
      () => [{ ...randn([40]), data: Float32Array.from(randn([40]).data, (v) => Math.abs(v) + 1e-3) }],
      (k, [x]) => k.log(x!),
    );
    check(
      'log1p on tiny, small, -1 and large inputs',
      () => [f32([1e-10, -1e-9, 3e-8, 1e-5, -0.5, -1, 0, 1e6, 2.5], [9])],
      (k, [x]) => k.log1p(x!),
      { rtol: 1e-5, atol: 0 },
    );
    check(
      'leakyRelu slope 0.2',
      () => [randn([4, 4])],
      (k, [x]) => k.leakyRelu(x!, 0.2),
    );
    check(
      'round half to even',
      () => [f32([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 1e7 + 0.5], [8])],
      (k, [x]) => k.round(x!),
    );
    check(
      'sign of subnormals and NaN',
      () => [f32([1e-40, -1e-40, 0, NaN, -Infinity], [5])],
      (k, [x]) => k.sign(x!),
    );
    for (const op of ['neg', 'abs', 'sign', 'square'] as const)
      check(
        `${op} on int32`,
        () => [ints([6], -5, 5)],
        (k, [x]) => k[op](x!),
      );
    const binary = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
    for (const op of binary) {
      check(
        `${op} broadcast [2,1,4] x [3,1]`,
        () => [ints([2, 1, 4], -2, 3), ints([3, 1], -2, 3)].map((t) => ({ ...t, dtype: 'float32' as const })),
        (k, [a, b]) => k[op](a!, b!, [2, 3, 4]),
      );
    }
    check(
      'add int32 broadcast',
      () => [ints([2, 3], -9, 9), ints([3], -9, 9)],
      (k, [a, b]) => k.add(a!, b!, [2, 3]),
    );
    check(
      'maximum / minimum propagate NaN from either side',
      () => [f32([NaN, 1, 2, -0], [4]), f32([1, NaN, 3, 0], [4])],
      (k, [a, b]) => k.maximum(a!, b!, [4]),
    );
    check(
      'pow, base 1 with NaN exponent',
      () => [f32([1, 2, 0.5, 1], [4]), f32([NaN, 3, -2, 1e9], [4])],
      (k, [a, b]) => k.pow(a!, b!, [4]),
    );
    check(
      'where broadcast with bool operands',
      () => [bools([2, 1]), bools([1, 3]), bools([3])],
      (k, [c, a, b]) => k.where(c!, a!, b!, [2, 3]),
    );
    check(
      'where float32',
      () => [bools([3, 1]), randn([3, 4]), randn([4])],
      (k, [c, a, b]) => k.where(c!, a!, b!, [3, 4]),
    );
  });

  describe('reductions', () => {
    check(
      'sum over [0, 2] of [3,4,5]',
      () => [randn([3, 4, 5])],
      (k, [x]) => k.sum(x!, [0, 2]),
    );
    check(
      'sum over an empty extent is 0',
      () => [f32([], [2, 0, 3])],
      (k, [x]) => k.sum(x!, [1]),
    );
    check(
      'prod over an empty extent is 1',
      () => [f32([], [2, 0])],
      (k, [x]) => k.prod(x!, [1]),
    );
    check(
      'sum int32 all axes',
      () => [ints([4, 5], -100, 100)],
      (k, [x]) => k.sum(x!, [0, 1]),
    );
    check(
      'max / min with NaN',
      () => [f32([1, NaN, 3, 4, 5, 6], [2, 3])],
      (k, [x]) => k.max(x!, [1]),
    );
    check(
      'min over axis 0',
      () => [randn([5, 3])],
      (k, [x]) => k.min(x!, [0]),
    );
    check(
      'prod over axis 1',
      () => [randn([3, 4])],
      (k, [x]) => k.prod(x!, [1]),
    );
    check(
      'max of bool is bool',
      () => [bools([3, 4])],
      (k, [x]) => k.max(x!, [1]),
    );
    check(
      'argmax first occurrence and NaN wins',
      () => [f32([1, 3, 3, 2, 1, NaN, 5, NaN], [2, 4])],
      (k, [x]) => k.argmax(x!, 1),
    );
    check(
      'argmin over axis 0',
      () => [ints([4, 3], 0, 3)],
      (k, [x]) => k.argmin(x!, 0),
    );
  });

  describe('matmul and linear', () => {
    check(
      'matmul [5,7] x [7,3]',
      () => [randn([5, 7]), randn([7, 3])],
      (k, [a, b]) => k.matmul(a!, b!, false, false, [5, 3]),
    );
    check(
      'matmul transposes [2,7,5]^T x [2,3,7]^T',
      () => [randn([2, 7, 5]), randn([2, 3, 7])],
      (k, [a, b]) => k.matmul(a!, b!, true, true, [2, 5, 3]),
    );
    check(
      'matmul batch broadcast [2,1,3,4] x [3,4,2]',
      () => [randn([2, 1, 3, 4]), randn([3, 4, 2])],
      (k, [a, b]) => k.matmul(a!, b!, false, false, [2, 3, 3, 2]),
    );
    check(
      'matmul [4,3,5] x [5,2] folds batch',
      () => [randn([4, 3, 5]), randn([5, 2])],
      (k, [a, b]) => k.matmul(a!, b!, false, false, [4, 3, 2]),
    );
    check(
      'matmul K = 0',
      () => [f32([], [3, 0]), f32([], [0, 2])],
      (k, [a, b]) => k.matmul(a!, b!, false, false, [3, 2]),
    );
    check(
      'linear with bias [6,10] x [4,10]^T',
      () => [randn([6, 10]), randn([4, 10]), randn([4])],
      (k, [x, w, b]) => k.linear!(x!, w!, b!, [6, 4]),
    );
    check(
      'linear 3-D input, no bias',
      () => [randn([2, 3, 10]), randn([4, 10])],
      (k, [x, w]) => k.linear!(x!, w!, null, [2, 3, 4]),
    );
    check(
      'linear 784 -> 16 batch 64',
      () => [randn([64, 784]), randn([16, 784], 0.05), randn([16])],
      (k, [x, w, b]) => k.linear!(x!, w!, b!, [64, 16]),
      { rtol: 1e-4, atol: 1e-4 },
    );
  });

  describe('layout', () => {
    check(
      'permute [2,3,4] -> [2,0,1]',
      () => [randn([2, 3, 4])],
      (k, [x]) => k.permute(x!, [2, 0, 1]),
    );
    check(
      'permute bool',
      () => [bools([2, 3])],
      (k, [x]) => k.permute(x!, [1, 0]),
    );
    check(
      'slice with steps float32',
      () => [randn([5, 6])],
      (k, [x]) => k.slice(x!, [1, 0], [2, 3], [2, 2]),
    );
    check(
      'slice with steps int32',
      () => [ints([5, 6], -50, 50)],
      (k, [x]) => k.slice(x!, [0, 1], [3, 2], [2, 3]),
    );
    check(
      'slice with steps bool',
      () => [bools([7])],
      (k, [x]) => k.slice(x!, [1], [2], [3]),
    );
    check(
      'pad float32 and int32',
      () => [ints([2, 3], 0, 9)],
      (k, [x]) =>
        k.pad(
          x!,
          [
            [1, 0],
            [2, 1],
          ],
          -7,
        ),
    );
    check(
      'pad bool',
      () => [bools([3])],
      (k, [x]) => k.pad(x!, [[1, 2]], 1),
    );
    check(
      'concat axis 1 with an empty part',
      () => [randn([2, 3]), f32([], [2, 0]), randn([2, 1])],
      (k, xs) => k.concat(xs, 1, [2, 4]),
    );
    check(
      'concat bool',
      () => [bools([2]), bools([3])],
      (k, xs) => k.concat(xs, 0, [5]),
    );
    check(
      'expand [3,1] -> [2,3,4]',
      () => [randn([3, 1])],
      (k, [x]) => k.expand(x!, [2, 3, 4]),
    );
    check(
      'expand bool',
      () => [bools([1, 2])],
      (k, [x]) => k.expand(x!, [3, 2]),
    );
    check(
      'cast float32 -> int32 truncates',
      () => [f32([-2.7, -0.5, 0.5, 2.7, 100.9], [5])],
      (k, [x]) => k.cast(x!, 'int32'),
    );
    check(
      'cast float32 -> bool (NaN is true)',
      () => [f32([-2.7, 0, NaN, -0, 1e-30], [5])],
      (k, [x]) => k.cast(x!, 'bool'),
    );
    check(
      'cast int32 -> bool',
      () => [ints([8], -3, 3)],
      (k, [x]) => k.cast(x!, 'bool'),
    );
    check(
      'cast bool -> float32',
      () => [bools([6])],
      (k, [x]) => k.cast(x!, 'float32'),
    );
    check(
      'oneHot float32 from [2,3] indices',
      () => [ints([2, 3], 0, 4)],
      (k, [x]) => k.oneHot(x!, 4, 'float32'),
    );
    check(
      'oneHot bool',
      () => [ints([5], 0, 3)],
      (k, [x]) => k.oneHot(x!, 3, 'bool'),
    );
    check(
      'a kernel reads a view whose storage has another shape',
      () => [{ ...randn([2, 6]), storageShape: [12] }],
      (k, [x]) => k.permute(x!, [1, 0]),
    );
  });

  describe('indexing', () => {
    check(
      'gather axis 1',
      () => [randn([3, 5]), ints([3, 4], 0, 5)],
      (k, [x, i]) => k.gather(x!, 1, i!),
    );
    check(
      'gather axis 0 of [4,2,3]',
      () => [randn([4, 2, 3]), ints([2, 2, 3], 0, 4)],
      (k, [x, i]) => k.gather(x!, 0, i!),
    );
    check(
      'gather bool',
      () => [bools([2, 5]), ints([2, 3], 0, 5)],
      (k, [x, i]) => k.gather(x!, 1, i!),
    );
    check(
      'scatterAdd duplicates sum',
      () => [randn([3, 4]), ints([3, 6], 0, 4), randn([3, 6])],
      (k, [x, i, s]) => k.scatterAdd(x!, 1, i!, s!),
    );
    check(
      'scatterAdd src larger than index',
      () => [randn([4, 3]), ints([2, 3], 0, 4), randn([3, 3])],
      (k, [x, i, s]) => k.scatterAdd(x!, 0, i!, s!),
    );
    check(
      'scatterAdd int32',
      () => [ints([5], 0, 3), ints([7], 0, 5), ints([7], -3, 3)],
      (k, [x, i, s]) => k.scatterAdd(x!, 0, i!, s!),
    );
    check(
      'indexSelect axis 1 (embedding-style)',
      () => [randn([3, 6]), ints([4], 0, 6)],
      (k, [x, i]) => k.indexSelect(x!, 1, i!),
    );
    check(
      'softmax axis 1 of [2,5,3]',
      () => [randn([2, 5, 3], 3)],
      (k, [x]) => k.softmax!(x!, 1),
    );
    check(
      'logSoftmax last axis, large logits',
      () => [randn([4, 10], 50)],
      (k, [x]) => k.logSoftmax!(x!, 1),
    );
    check(
      'logSoftmax axis 0',
      () => [randn([6, 2])],
      (k, [x]) => k.logSoftmax!(x!, 0),
    );
  });

  describe('conv2d', () => {
    const IMG: Tol = { rtol: 1e-4, atol: 1e-4 };
    const convs: [string, Shape, Shape, Conv2dParams][] = [
      ['3x3 pad 1', [2, 3, 7, 7], [4, 3, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }],
      [
        '5x5 LeNet conv1',
        [2, 1, 12, 12],
        [6, 1, 5, 5],
        { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
      ],
      [
        'stride 2, uneven floor',
        [1, 2, 8, 7],
        [3, 2, 3, 3],
        { stride: [2, 2], padding: [1, 0], dilation: [1, 1], groups: 1 },
      ],
      ['dilation 2', [1, 2, 9, 9], [2, 2, 3, 3], { stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 1 }],
      [
        'stride 2 and dilation 2',
        [2, 2, 11, 10],
        [3, 2, 3, 2],
        { stride: [2, 3], padding: [1, 2], dilation: [2, 2], groups: 1 },
      ],
      ['groups 2', [2, 4, 6, 6], [6, 2, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 }],
      [
        'depthwise (groups = C), multiplier 2',
        [1, 3, 6, 6],
        [6, 1, 3, 3],
        { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 3 },
      ],
      [
        'depthwise, stride 2 and dilation 2',
        [1, 2, 9, 9],
        [2, 1, 3, 3],
        { stride: [2, 2], padding: [1, 1], dilation: [2, 2], groups: 2 },
      ],
      ['1x1 stride 2', [2, 3, 5, 5], [2, 3, 1, 1], { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 }],
    ];
    for (const [name, xs, ws, p] of convs) {
      const [n, , h, w] = xs as number[];
      const [o, , kh, kw] = ws as number[];
      const ho = Math.floor((h! + 2 * p.padding[0] - p.dilation[0] * (kh! - 1) - 1) / p.stride[0]) + 1;
      const wo = Math.floor((w! + 2 * p.padding[1] - p.dilation[1] * (kw! - 1) - 1) / p.stride[1]) + 1;
      const ys = [n!, o!, ho, wo];
      check(
        `conv2d ${name}`,
        () => [randn(xs), randn(ws)],
        (k, [x, wt]) => k.conv2d(x!, wt!, p, ys),
        IMG,
      );
      check(
        `conv2dBackwardInput ${name}`,
        () => [randn(ys), randn(ws)],
        (k, [dy, wt]) => k.conv2dBackwardInput(dy!, wt!, xs, p),
        IMG,
      );
      check(
        `conv2dBackwardWeight ${name}`,
        () => [randn(xs), randn(ys)],
        (k, [x, dy]) => k.conv2dBackwardWeight(x!, dy!, ws, p),
        IMG,
      );
    }
  });

  describe('pooling', () => {
    const pool = (
      k: [number, number],
      s: [number, number],
      pd: [number, number],
      d: [number, number],
      ceil: boolean,
      countIncludePad = true,
      divisorOverride?: number,
    ): Pool2dParams => ({
      kernelSize: k,
      stride: s,
      padding: pd,
      dilation: d,
      ceilMode: ceil,
      countIncludePad,
      divisorOverride,
    });
    const out = (x: Shape, p: Pool2dParams): number[] => {
      const o = (i: number, a: 0 | 1) => {
        const span = i + 2 * p.padding[a] - p.dilation[a] * (p.kernelSize[a] - 1) - 1;
        let r = (p.ceilMode ? Math.ceil(span / p.stride[a]) : Math.floor(span / p.stride[a])) + 1;
        if (p.ceilMode && (r - 1) * p.stride[a] >= i + p.padding[a]) r--;
        return r;
      };
      return [x[0]!, x[1]!, o(x[2]!, 0), o(x[3]!, 1)];
    };
    const pools: [string, Shape, Pool2dParams][] = [
      ['2x2 stride 2', [2, 3, 8, 8], pool([2, 2], [2, 2], [0, 0], [1, 1], false)],
      ['3x3 stride 2 pad 1', [1, 2, 7, 7], pool([3, 3], [2, 2], [1, 1], [1, 1], false)],
      ['3x3 stride 2 ceil_mode', [1, 2, 8, 8], pool([3, 3], [2, 2], [0, 0], [1, 1], true)],
      [
        '3x2 stride (2,1) pad (1,1) ceil_mode, no pad count',
        [2, 1, 7, 6],
        pool([3, 2], [2, 1], [1, 1], [1, 1], true, false),
      ],
      ['2x2 overlapping stride 1', [1, 1, 5, 5], pool([2, 2], [1, 1], [0, 0], [1, 1], false)],
      ['divisor override 3', [1, 2, 6, 6], pool([2, 2], [2, 2], [1, 1], [1, 1], true, true, 3)],
    ];
    for (const [name, xs, p] of pools) {
      const ys = out(xs, p);
      check(
        `maxPool2d ${name}`,
        () => [randn(xs)],
        (k, [x]) => k.maxPool2d(x!, p, ys),
      );
      check(
        `avgPool2d ${name}`,
        () => [randn(xs)],
        (k, [x]) => k.avgPool2d(x!, p, ys),
      );
      check(
        `avgPool2dBackward ${name}`,
        () => [randn(ys)],
        (k, [dy]) => k.avgPool2dBackward(dy!, xs, p),
      );
    }
    const dil = pool([3, 3], [2, 2], [1, 1], [2, 2], false);
    check(
      'maxPool2d dilation 2',
      () => [randn([1, 2, 9, 9])],
      (k, [x]) => k.maxPool2d(x!, dil, out([1, 2, 9, 9], dil)),
    );
    check(
      'maxPool2d ties keep the first, NaN wins, -Infinity input',
      () => [f32([1, 1, 1, 1, 2, NaN, 2, 0, -Infinity, -Infinity, -Infinity, -Infinity, 5, 5, 0, 5], [1, 1, 4, 4])],
      (k, [x]) => k.maxPool2d(x!, pool([2, 2], [2, 2], [1, 1], [1, 1], false), [1, 1, 3, 3]),
    );
    check(
      'maxPool2dBackward overlapping windows sum',
      () => {
        const x = randn([2, 2, 5, 5]);
        return [x];
      },
      (k, [x]) => {
        const p = pool([3, 3], [1, 1], [1, 1], [1, 1], false);
        const { values, indices } = k.maxPool2d(x!, p, [2, 2, 5, 5]);
        const ref = (s: unknown, dtype: DType): AnyRef => ({ storage: s, shape: [2, 2, 5, 5], dtype });
        const dx = k.maxPool2dBackward(ref(values, 'float32'), ref(indices, 'int32'), [2, 2, 5, 5]);
        k.dispose(values);
        k.dispose(indices);
        return dx;
      },
    );
  });

  describe('memory', () => {
    it('repeated kernel sequences keep tf.memory().numTensors flat', () => {
      const k = tfjs.kernels;
      const x = k.write(Float32Array.from(randn([8, 16]).data), [8, 16], 'float32');
      const w = k.write(Float32Array.from(randn([4, 16]).data), [4, 16], 'float32');
      const b = k.write(new Float32Array(4), [4], 'float32');
      const xr = { storage: x, shape: [8, 16], dtype: 'float32' as const };
      const step = () => {
        const y = k.linear(
          xr,
          { storage: w, shape: [4, 16], dtype: 'float32' },
          { storage: b, shape: [4], dtype: 'float32' },
          [8, 4],
        );
        const yr = { storage: y, shape: [8, 4], dtype: 'float32' as const };
        const r = k.relu(yr);
        const ls = k.logSoftmax({ storage: r, shape: [8, 4], dtype: 'float32' }, 1);
        const s = k.sum({ storage: ls, shape: [8, 4], dtype: 'float32' }, [0, 1]);
        const img = { storage: x, shape: [1, 2, 8, 8], dtype: 'float32' as const };
        const mp = k.maxPool2d(
          img,
          {
            kernelSize: [2, 2],
            stride: [2, 2],
            padding: [0, 0],
            dilation: [1, 1],
            ceilMode: false,
            countIncludePad: true,
          },
          [1, 2, 4, 4],
        );
        const g = k.conv2dBackwardWeight(
          img,
          { storage: mp.values, shape: [1, 2, 4, 4], dtype: 'float32' },
          [2, 2, 5, 5],
          { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
        );
        for (const t of [y, r, ls, s, mp.values, mp.indices, g]) k.dispose(t);
      };
      step();
      const before = tfjs.memory();
      for (let i = 0; i < 50; i++) step();
      const after = tfjs.memory();
      expect(after.handles).toBe(before.handles);
      expect(after.bytes).toBe(before.bytes);
      for (const t of [x, w, b]) k.dispose(t);
      expect(tfjs.memory().handles).toBe(before.handles - 3);
      cases++;
    });
  });
}

function dtypeOfCpu(storage: unknown): DType {
  return (storage as { dtype: DType }).dtype;
}
