/**
 * Matmul throughput of the CPU backend's GEMMs through impl.matmul, on the same operands: the
 * JavaScript fallback and the WebAssembly SIMD kernel. Configurations alternate call by call, so
 * load from other processes hits them alike.
 * Run: npx tsx bench/matmul.ts   (from packages/backend-cpu)
 */
import { matmul } from '../src/impl/matmul.js';
import { best, gemmConfigs, interleave, median } from './configs.js';

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

const configs = gemmConfigs();

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

const shapes: [number, number, number, boolean, boolean][] = [
  [64, 784, 512, false, false],
  [64, 512, 512, false, false],
  [512, 512, 512, false, false],
  // the shapes an MLP's training step produces: linear (weight transposed) and the backward matmuls
  [64, 784, 512, false, true],
  [64, 512, 784, false, false],
  [512, 64, 784, true, false],
  [64, 512, 10, false, true],
  [1024, 1024, 1024, false, false],
];

console.log(`Node ${process.version}; GFLOP/s median (best)`);
console.log(`${'M x K x N'.padEnd(20)}${configs.map((c) => c.name.padStart(18)).join('')}`);
for (const [M, K, N, tA, tB] of shapes) {
  const label = `${M}x${K}x${N}${tA ? ' A^T' : ''}${tB ? ' B^T' : ''}`;
  const cells = bench(M, K, N, tA, tB).map(([med, best]) => `${med.toFixed(1)} (${best.toFixed(1)})`.padStart(18));
  console.log(`${label.padEnd(20)}${cells.join('')}`);
}
