/**
 * WebGPU matmul throughput (GFLOP/s) for both GEMM variants, plus the per-dispatch cost of a chain
 * of small kernels and the time of a 4 MB readback, on the adapter the backend picks here.
 * Run: npx tsx bench/matmul.ts [sizes...]   (from packages/backend-webgpu; default 256 512 1024)
 */
import { createWebGpuBackend, type WebGpuBackend } from '../src/backend.js';
import type { GemmKind } from '../src/device.js';
import type { WebGpuStorage } from '../src/storage.js';

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(256, 512, 1024);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function upload(b: WebGpuBackend, n: number): WebGpuStorage {
  const a = new Float32Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.random() - 0.5;
  return b.kernels.write(a, [n, n], 'float32');
}

/** Milliseconds per n³ matmul: median over rounds of `reps` back-to-back products. */
async function timeMatmul(b: WebGpuBackend, n: number): Promise<number> {
  const x = { storage: upload(b, n), shape: [n, n], dtype: 'float32' as const };
  const run = () => b.kernels.dispose(b.kernels.matmul(x, x, false, false, [n, n]));
  run();
  await b.finish();
  const reps = n <= 256 ? 8 : n <= 512 ? 3 : 1;
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    await b.finish();
    rounds.push((performance.now() - t0) / reps);
  }
  b.kernels.dispose(x.storage);
  return median(rounds);
}

async function main(): Promise<void> {
  for (const gemm of ['direct', 'tiled'] as GemmKind[]) {
    const b = createWebGpuBackend({ gemm });
    await b.init();
    if (gemm === 'direct') console.log(`engine: ${b.engine()}`);
    for (const n of sizes) {
      const ms = await timeMatmul(b, n);
      console.log(
        `matmul ${n}^3 ${gemm.padEnd(6)}: ${ms.toFixed(1).padStart(8)} ms  ${((2 * n ** 3) / (ms * 1e6)).toFixed(2).padStart(6)} GFLOP/s`,
      );
    }
    if (gemm === 'direct') {
      // A chain of 1000 dependent 64-element kernels: recording, batching and the adapter's dispatch cost.
      const k = b.kernels;
      let cur = k.fill([64], 'float32', 1);
      await b.finish();
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) {
        const next = k.neg({ storage: cur, shape: [64], dtype: 'float32' });
        k.dispose(cur);
        cur = next;
      }
      await b.finish();
      console.log(`dispatch chain: ${(((performance.now() - t0) / 1000) * 1000).toFixed(1)} µs per small kernel`);
      const big = k.fill([1 << 20], 'float32', 2);
      await k.read({ storage: big, shape: [1 << 20], dtype: 'float32' });
      const reads: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t1 = performance.now();
        await k.read({ storage: big, shape: [1 << 20], dtype: 'float32' });
        reads.push(performance.now() - t1);
      }
      console.log(`readback of 4 MiB: ${median(reads).toFixed(2)} ms`);
      k.dispose(big);
      k.dispose(cur);
    }
    b.destroy();
  }
}

await main();
