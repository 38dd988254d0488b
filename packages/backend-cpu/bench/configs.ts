/** The GEMM configurations the benchmarks compare, selected call by call. */
import { setGemmImpl } from '../src/impl/gemm.js';
import { wasmSimdAvailable } from '../src/impl/gemm-wasm.js';

export interface GemmConfig {
  name: string;
  select(): void;
}

/** js, and wasm (the default) where WebAssembly SIMD loads. */
export function gemmConfigs(): GemmConfig[] {
  const configs: GemmConfig[] = [{ name: 'js', select: () => setGemmImpl('js') }];
  if (wasmSimdAvailable) configs.push({ name: 'wasm simd', select: () => setGemmImpl('wasm-simd') });
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
