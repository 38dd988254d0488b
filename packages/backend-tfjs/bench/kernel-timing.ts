/**
 * Per-kernel timings of this backend on LeNet/MLP-sized inputs (ms per call), for one engine:
 *   npx tsx --tsconfig bench/tsconfig.json bench/kernel-timing.ts wasm|cpu
 */
import type { DType, Shape } from '@flint/core/backend';
import { createTfjsBackend, type TfjsEngine, type TfjsStorage } from '../src/index.js';
const b = createTfjsBackend({ engine: (process.argv[2] ?? 'wasm') as TfjsEngine });
await b.init();
const k = b.kernels;
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const ref = (s: TfjsStorage, shape: Shape, dtype: DType = 'float32') => ({ storage: s, shape, dtype });
const time = (name: string, n: number, f: () => void) => {
  f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(`${b.engine()}:`, name, ((performance.now() - t0) / n).toFixed(2), 'ms');
};
const x = ref(k.write(rnd(64 * 6 * 28 * 28), [64, 6, 28, 28], 'float32'), [64, 6, 28, 28]);
const pp = {
  kernelSize: [2, 2],
  stride: [2, 2],
  padding: [0, 0],
  dilation: [1, 1],
  ceilMode: false,
  countIncludePad: true,
} as const;
time('maxPool2d [64,6,28,28] 2x2', 10, () => {
  const r = k.maxPool2d(x, pp, [64, 6, 14, 14]);
  k.dispose(r.values);
  k.dispose(r.indices);
});
time('avgPool2d [64,6,28,28] 2x2', 10, () => k.dispose(k.avgPool2d(x, pp, [64, 6, 14, 14])));
const img = ref(k.write(rnd(64 * 1 * 32 * 32), [64, 1, 32, 32], 'float32'), [64, 1, 32, 32]);
const w = ref(k.write(rnd(6 * 25), [6, 1, 5, 5], 'float32'), [6, 1, 5, 5]);
const cp = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } as const;
time('conv2d LeNet conv1', 10, () => k.dispose(k.conv2d(img, w, cp, [64, 6, 28, 28])));
time('conv2dBackwardWeight LeNet conv1', 10, () => k.dispose(k.conv2dBackwardWeight(img, x, [6, 1, 5, 5], cp)));
time('conv2dBackwardInput LeNet conv1', 10, () => k.dispose(k.conv2dBackwardInput(x, w, [64, 1, 32, 32], cp)));
const a = ref(k.write(rnd(64 * 784), [64, 784], 'float32'), [64, 784]);
const W = ref(k.write(rnd(512 * 784), [512, 784], 'float32'), [512, 784]);
const bias = ref(k.write(rnd(512), [512], 'float32'), [512]);
time('linear 64x784 -> 512', 20, () => k.dispose(k.linear(a, W, bias, [64, 512])));
time('matmul 64x784 @ (512x784)^T', 20, () => k.dispose(k.matmul(a, W, false, true, [64, 512])));
