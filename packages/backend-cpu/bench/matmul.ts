/**
 * Matmul throughput of the CPU backend's GEMMs (single thread): the WebAssembly SIMD kernel and
 * the JavaScript fallback, through impl.matmul, on the same operands.
 * Run: npx tsx bench/matmul.ts [js|wasm-simd]   (from packages/backend-cpu; default: both)
 */
import { gemmImpl, setGemmImpl, type GemmImpl } from '../src/impl/gemm.js';
import { wasmSimdAvailable } from '../src/impl/gemm-wasm.js';
import { matmul } from '../src/impl/matmul.js';

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

/** Median and best GFLOP/s of matmul on one shape with the current GEMM. */
function bench(M: number, K: number, N: number, transposeA = false, transposeB = false): [number, number] {
  const a = rand(M * K);
  const b = rand(K * N);
  const aShape = transposeA ? [K, M] : [M, K];
  const bShape = transposeB ? [N, K] : [K, N];
  const run = (): Float32Array => matmul(a, aShape, b, bShape, transposeA, transposeB, [M, N]) as Float32Array;
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const deadline = performance.now() + 1000;
  while (performance.now() < deadline || times.length < 5) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const gflops = (ms: number): number => (2 * M * K * N) / (ms * 1e6);
  return [gflops(times[Math.floor(times.length / 2)]!), gflops(times[0]!)];
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

const arg = process.argv[2] as GemmImpl | undefined;
const impls: GemmImpl[] = arg !== undefined ? [arg] : wasmSimdAvailable ? ['js', 'wasm-simd'] : ['js'];
console.log(`Node ${process.version}, single thread; GFLOP/s median (best)`);
console.log(`${'M x K x N'.padEnd(22)}${impls.map((i) => i.padStart(20)).join('')}${impls.length === 2 ? '  speedup' : ''}`);
for (const [M, K, N, tA, tB] of shapes) {
  const label = `${M}x${K}x${N}${tA ? ' A^T' : ''}${tB ? ' B^T' : ''}`;
  const res = impls.map((impl) => {
    setGemmImpl(impl);
    return bench(M, K, N, tA, tB);
  });
  const cells = res.map(([med, best]) => `${med.toFixed(2)} (${best.toFixed(2)})`.padStart(20)).join('');
  const speed = res.length === 2 ? `  ${(res[1]![0] / res[0]![0]).toFixed(1)}x` : '';
  console.log(`${label.padEnd(22)}${cells}${speed}`);
}
console.log(`(gemm now: ${gemmImpl()})`);
