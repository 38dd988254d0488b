/**
 * Child process for gemm-threads.test.ts: runs GEMMs through the backend's gemm with the thread
 * setting from the environment, prints one JSON line (the thread state, the split counters, the
 * largest difference from the JavaScript GEMM) and then just returns: the process must exit by
 * itself with the worker alive.
 */
import { cpuThreads } from '../index.js';
import { gemm } from './gemm.js';
import { gemmJs } from './gemm-js.js';
import { threadStats } from './gemm-threads.js';
import { randF32 } from './test-reference.js';

const M = 128;
const N = 256;
const K = 192;
const a = { data: randF32(M * K, 1), offset: 0, rs: K, cs: 1 };
const b = { data: randF32(K * N, 2), offset: 0, rs: N, cs: 1 };
const ref = new Float32Array(M * N);
gemmJs(M, N, K, a, b, ref, 0, N, false);
let maxDiff = 0;
const t0 = performance.now();
// where a second thread can run: until the worker ran a half (at most 5 s)
const waitForWorker = (): boolean =>
  cpuThreads().available && threadStats.worker === 0 && performance.now() - t0 < 5000;
for (let calls = 0; calls < 20 || waitForWorker(); calls++) {
  const c = new Float32Array(M * N);
  gemm(M, N, K, a, b, c, 0, N, false);
  for (let i = 0; i < c.length; i++) maxDiff = Math.max(maxDiff, Math.abs(c[i]! - ref[i]!));
  if (waitForWorker()) await new Promise((r) => setTimeout(r, 5));
}
console.log(JSON.stringify({ info: cpuThreads(), stats: threadStats, maxDiff }));
