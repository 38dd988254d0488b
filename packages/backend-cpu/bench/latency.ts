/**
 * Batch-1 inference latency (eval mode, under noGrad, the result read back) of a 784->512 linear
 * layer, the 784-512-512-10 MLP and LeNet-5 through @flint/core's public API on the cpu backend.
 * Prints one line per model with each variant's median and best call time.
 * Run: npx tsx bench/latency.ts [--calls 2000] [--variant before=<dir> --variant after=../src]
 * Variants (copies of the backend's src, as in step.ts) alternate call by call in one process, so
 * the machine's load hits them alike.
 */
process.env.FLINT_NO_AUTOLOAD = '1';
const { parseArgs } = await import('node:util');
const { values: args } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true, default: ['cpu=../src'] },
    calls: { type: 'string', default: '2000' },
  },
});
const { manualSeed, noGrad, randn, setBackend, tidy } = await import('@flint/core');
const { loadVariants, modelSpec } = await import('./common.js');
const variants = await loadVariants(args.variant);
const MODEL_NAMES = ['linear', 'mlp', 'lenet'];

const calls = Number(args.calls);
const warmup = 200;
for (const name of MODEL_NAMES) {
  const spec = modelSpec(name, MODEL_NAMES);
  const infer = variants.map((v) => {
    setBackend(`cpu-${v}`);
    manualSeed(0);
    const model = spec.build();
    model.eval();
    const x = randn([1, ...spec.sample]);
    return (): void => noGrad(() => tidy(() => void model(x).dataSync()));
  });
  const times: number[][] = variants.map(() => []);
  for (let i = 0; i < warmup + calls; i++)
    infer.forEach((f, k) => {
      setBackend(`cpu-${variants[k]}`);
      const t0 = performance.now();
      f();
      if (i >= warmup) times[k]!.push(performance.now() - t0);
    });
  const cells = variants.map((v, k) => {
    const s = [...times[k]!].sort((a, b) => a - b);
    return `${v} median ${(s[s.length >> 1]! * 1000).toFixed(1)} us, best ${(s[0]! * 1000).toFixed(1)} us`;
  });
  console.log(`${name.padEnd(7)} ${cells.join(' | ')}`);
}
