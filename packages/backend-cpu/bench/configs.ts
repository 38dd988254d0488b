/** The GEMM configurations the benchmarks compare, selected call by call. */
import { setGemmImpl } from '../src/impl/gemm.js';
import { setWasmGemmThreading, startGemmWorker, wasmSimdAvailable } from '../src/impl/gemm-wasm.js';

export interface GemmConfig {
  name: string;
  select(): void;
}

/** js; wasm on one thread (the default); wasm with threads 2 (large calls split, with back-off) where a worker starts. */
export async function gemmConfigs(): Promise<GemmConfig[]> {
  const configs: GemmConfig[] = [{ name: 'js', select: () => setGemmImpl('js') }];
  if (!wasmSimdAvailable) return configs;
  configs.push({
    name: 'wasm 1 thread',
    select: () => {
      setGemmImpl('wasm-simd');
      setWasmGemmThreading({ threads: 1 });
    },
  });
  if (await startGemmWorker())
    configs.push({
      name: 'wasm 2 threads',
      select: () => {
        setGemmImpl('wasm-simd');
        setWasmGemmThreading({ threads: 2 });
      },
    });
  return configs;
}

/** Run `fn` under each configuration in turn until `ms` have passed (and each ran `min` times); times per config. */
export function interleave(configs: GemmConfig[], fn: () => void, ms: number, min = 5): number[][] {
  const times: number[][] = configs.map(() => []);
  const deadline = performance.now() + ms;
  while (performance.now() < deadline || times[0]!.length < min)
    configs.forEach((c, i) => {
      c.select();
      const t0 = performance.now();
      fn();
      times[i]!.push(performance.now() - t0);
    });
  return times;
}

export const median = (ts: number[]): number => [...ts].sort((x, y) => x - y)[Math.floor(ts.length / 2)]!;
export const best = (ts: number[]): number => Math.min(...ts);
