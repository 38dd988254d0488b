/**
 * Matmul throughput of the CPU backend's blocked GEMM (single thread).
 * Run: npx tsx bench/matmul.ts   (from packages/backend-cpu)
 */
import { matmul } from '../src/impl/matmul.js';

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

function bench(M: number, K: number, N: number, transposeA = false, transposeB = false): void {
  const a = rand(M * K);
  const b = rand(K * N);
  const aShape = transposeA ? [K, M] : [M, K];
  const bShape = transposeB ? [N, K] : [K, N];
  const run = (): Float32Array => matmul(a, aShape, b, bShape, transposeA, transposeB, [M, N]) as Float32Array;
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const deadline = performance.now() + 1500;
  while (performance.now() < deadline || times.length < 5) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)]!;
  const best = times[0]!;
  const gflops = (ms: number): string => ((2 * M * K * N) / (ms * 1e6)).toFixed(2);
  const label = `${M}x${K}x${N}${transposeA ? ' A^T' : ''}${transposeB ? ' B^T' : ''}`;
  console.log(`${label.padEnd(22)} median ${median.toFixed(2).padStart(7)} ms  ${gflops(median).padStart(6)} GFLOP/s   (best ${gflops(best)})`);
}

console.log(`Node ${process.version}, single-threaded blocked GEMM (float64-packed 4x4 micro-kernel)`);
bench(64, 784, 512);
bench(64, 512, 512);
bench(512, 512, 512);
// the shapes an MLP's backward pass produces
bench(64, 512, 784, false, true);
bench(784, 64, 512, true, false);
