/**
 * Training throughput of the three reference models (PyTorch's are in issue 12's reference script,
 * outside this repository: mlp-small 784-16-16-10 sigmoid, mlp 784-512-512-10 relu, LeNet-5) through @flint/core's public API
 * on the cpu backend: batch 64, SGD lr 0.05 momentum 0.9, cross-entropy, each step in its own tidy,
 * on fixed synthetic batches (the data does not change the work done).
 * Prints one JSON line per model and variant: {model, variant, steps, samples_per_s} (samples/s
 * from the median step time).
 * Run: npx tsx bench/step.ts [--model mlp-small|mlp|lenet|all] [--steps 100] [--warmup 10]
 * Profile: node --cpu-prof --import tsx bench/step.ts --model lenet
 * Before/after in one process: `--variant before=<dir> --variant after=../src` imports each copy of
 * the backend's src (e.g. `git archive` of an older commit), registers it as `cpu-<name>`, and
 * alternates training steps between them, each variant with its own model, so the machine's load
 * swings hit every variant alike. The ratios of the median step times are the measurement.
 */
process.env.FLINT_NO_AUTOLOAD = '1';
const { parseArgs } = await import('node:util');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'all' },
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    variant: { type: 'string', multiple: true, default: ['cpu=../src'] },
  },
});
const { manualSeed, nn, optim, randn, randint, setBackend, tidy } = await import('@flint/core');
const { loadVariants, modelSpec } = await import('./common.js');
const variants = await loadVariants(args.variant);
const MODEL_NAMES = ['mlp-small', 'mlp', 'lenet'];
const B = 64;

/** Median step time (ms) of each variant over `steps` alternating steps. */
function run(name: string, steps: number, warmup: number): number[] {
  const spec = modelSpec(name, MODEL_NAMES);
  const steppers = variants.map((v) => {
    setBackend(`cpu-${v}`);
    manualSeed(0);
    const model = spec.build();
    const lossFn = new nn.CrossEntropyLoss();
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = randn([B, ...spec.sample]);
    const y = randint(0, 10, [B]);
    return (): void =>
      tidy(() => {
        opt.zeroGrad();
        const loss = lossFn(model(x), y);
        loss.backward();
        opt.step();
      });
  });
  const times: number[][] = variants.map(() => []);
  for (let i = 0; i < warmup + steps; i++)
    steppers.forEach((step, k) => {
      setBackend(`cpu-${variants[k]}`);
      const t0 = performance.now();
      step();
      if (i >= warmup) times[k]!.push(performance.now() - t0);
    });
  return times.map((ts) => [...ts].sort((a, b) => a - b)[ts.length >> 1]!);
}

const names = args.model === 'all' ? MODEL_NAMES : [args.model];
for (const name of names) {
  const ms = run(name, Number(args.steps), Number(args.warmup));
  variants.forEach((v, k) => {
    const row = {
      model: name,
      variant: v,
      steps: Number(args.steps),
      samples_per_s: Math.round((B * 1000) / ms[k]!),
      ratio: Number((ms[0]! / ms[k]!).toFixed(3)),
    };
    console.log(JSON.stringify(row));
  });
}
