/**
 * Matmul throughput of the CPU backend's GEMMs through impl.matmul, on the same operands: the
 * JavaScript fallback and the WebAssembly SIMD kernel (where relaxed SIMD loads, with its FMA
 * micro-kernel and with the mul + add one). Configurations alternate call by call, so load from
 * other processes hits them alike. Batch-1 shapes (M = 1) run the gemv kernels, the M = 6 / 16
 * ones are LeNet's convolutions over a batch of 64 (forward, input and weight gradients).
 * Run: npx tsx bench/matmul.ts [--shapes all|conv|batch1]   (from packages/backend-cpu)
 */
import { parseArgs } from 'node:util';
import { setGemmImpl } from '../src/impl/gemm.js';
import { setWasmGemmFma, wasmFmaAvailable } from '../src/impl/gemm-wasm.js';
import { matmul } from '../src/impl/matmul.js';
import { best, gemmConfigs, interleave, median } from './configs.js';

const { values: args } = parseArgs({ options: { shapes: { type: 'string', default: 'all' } } });

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

/** The wasm GEMM with its FMA micro-kernel on or off. */
const wasmWith = (fma: boolean): (() => void) => {
  return () => {
    setGemmImpl('wasm-simd');
    setWasmGemmFma(fma);
  };
};
const configs = gemmConfigs().map((c) =>
  c.name === 'wasm simd' && wasmFmaAvailable ? { name: 'wasm fma', select: wasmWith(true) } : c,
);
if (wasmFmaAvailable) configs.push({ name: 'wasm mul+add', select: wasmWith(false) });

/** Median and best GFLOP/s of each configuration on one shape. */
function bench(M: number, K: number, N: number, transposeA: boolean, transposeB: boolean): [number, number][] {
  const a = rand(M * K);
  const b = rand(K * N);
  const aShape = transposeA ? [K, M] : [M, K];
  const bShape = transposeB ? [N, K] : [K, N];
  const run = (): unknown => matmul(a, aShape, b, bShape, transposeA, transposeB, [M, N]);
  interleave(configs, run, 0, 2); // warm-up
  const gflops = (ms: number): number => (2 * M * K * N) / (ms * 1e6);
  return interleave(configs, run, 2500).map((ts) => [gflops(median(ts)), gflops(best(ts))]);
}

type Shape = [number, number, number, boolean, boolean];
const mlpShapes: Shape[] = [
  [64, 784, 512, false, false],
  [64, 512, 512, false, false],
  [512, 512, 512, false, false],
  // the shapes an MLP's training step produces: linear (weight transposed) and the backward matmuls
  [64, 784, 512, false, true],
  [64, 512, 784, false, false],
  [512, 64, 784, true, false],
  [64, 512, 10, false, true],
  [64, 10, 512, false, false],
  [10, 64, 512, true, false],
  [1024, 1024, 1024, false, false],
];
const batch1Shapes: Shape[] = [
  [1, 784, 512, false, true],
  [1, 512, 784, false, false],
  [1, 512, 512, false, true],
];
// LeNet's convolutions over a batch of 64: forward W [O, C*k*k] x cols, input gradient W^T dy,
// weight gradient dy cols^T; conv2 also in the 15-image chunks its im2col runs (N = 15 * 100)
const convShapes: Shape[] = [
  [6, 25, 64 * 784, false, false],
  [16, 150, 64 * 100, false, false],
  [150, 16, 64 * 100, true, false],
  [25, 6, 64 * 784, true, false],
  [16, 64 * 100, 150, false, true],
  [6, 64 * 784, 25, false, true],
  [16, 150, 15 * 100, false, false],
  [150, 16, 15 * 100, true, false],
  [16, 15 * 100, 150, false, true],
];
const shapes =
  args.shapes === 'conv'
    ? convShapes
    : args.shapes === 'batch1'
      ? batch1Shapes
      : [...mlpShapes, ...batch1Shapes, ...convShapes];

console.log(`Node ${process.version}; GFLOP/s median (best)`);
console.log(`${'M x K x N'.padEnd(20)}${configs.map((c) => c.name.padStart(18)).join('')}`);
for (const [M, K, N, tA, tB] of shapes) {
  const label = `${M}x${K}x${N}${tA ? ' A^T' : ''}${tB ? ' B^T' : ''}`;
  const cells = bench(M, K, N, tA, tB).map(([med, best]) => `${med.toFixed(1)} (${best.toFixed(1)})`.padStart(18));
  console.log(`${label.padEnd(20)}${cells.join('')}`);
}
