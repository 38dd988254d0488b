/**
 * Precision of long reductions through Flint's Tensor API on this backend, against float64
 * references computed here from the same float32 inputs, for one tfjs engine:
 *   npx tsx --tsconfig bench/tsconfig.json bench/reduction-precision.ts wasm|cpu
 * Prints one line per case: the result, the reference and the relative error (absolute for std of
 * a constant, whose reference is 0).
 */
process.env.FLINT_NO_AUTOLOAD = '1';
process.env.FLINT_TFJS_ENGINE = process.argv[2] ?? 'wasm';
const core = await import('@flint/core');
const { tfjsBackend } = await import('../src/index.js');
await tfjsBackend.init();
core.setBackend('tfjs');

let seed = 12345;
/** Deterministic uniform [0, 1) (xorshift32), rounded to float32 by the Float32Array. */
function uniform(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = (seed >>> 0) / 2 ** 32;
  }
  return out;
}
const constant = (n: number, v: number) => new Float32Array(n).fill(v);
const sum64 = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
const dot64 = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const t = (a: Float32Array, shape: number[]) => core.fromArray(a, shape, { device: 'tfjs' });

function report(name: string, got: number, want: number): void {
  const err = want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
  console.log(
    `${tfjsBackend.engine()}\t${name}\t${got}\t${want}\t${want === 0 ? 'abs' : 'rel'} ${err.toExponential(2)}`,
  );
}

const N = 1_000_000;
const c = constant(N, 0.3);
report('sum 1e6 x 0.3', t(c, [N]).sum().item(), sum64(c));
const u = uniform(N);
report('sum 1e6 uniform', t(u, [N]).sum().item(), sum64(u));
const c17 = constant(131_072, 0.3);
report('mean 131072 x 0.3', t(c17, [131_072]).mean().item(), sum64(c17) / 131_072);
report('std 131072 x 0.3', t(c17, [131_072]).std().item(), 0);
report('std 1e6 x 0.3', t(c, [N]).std().item(), 0);
const v = uniform(N);
report(
  'matmul [1,1e6]x[1e6,1]',
  t(u, [1, N])
    .matmul(t(v, [N, 1]))
    .item(),
  dot64(u, v),
);
report('matmul [1,1e6]x([1,1e6])^T', core.matmul(t(u, [1, N]), t(v, [1, N]).t()).item(), dot64(u, v));
report('linear [1,1e6] -> 1', core.nn.functional.linear(t(u, [1, N]), t(v, [1, N])).item(), dot64(u, v));
report(
  'sum [250000,4] dim 0 (col 0)',
  t(u, [250_000, 4]).sum(0).dataSync()[0]!,
  sum64(u.filter((_, i) => i % 4 === 0)),
);
report('sum [4,250000] dim 1 (row 0)', t(u, [4, 250_000]).sum(1).dataSync()[0]!, sum64(u.subarray(0, 250_000)));
report('mean [1000,1000] all', t(u, [1000, 1000]).mean().item(), sum64(u) / N);
