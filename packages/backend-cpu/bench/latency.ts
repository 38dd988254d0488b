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
const { manualSeed, nn, noGrad, randn, setBackend, tidy } = await import('@flint/core');
const { registerBackend } = await import('@flint/core/backend');
const variants: string[] = [];
for (const v of args.variant) {
  const at = v.indexOf('=');
  if (at < 1) throw new Error(`--variant "${v}" should be name=srcDir (e.g. after=../src)`);
  const mod = (await import(new URL(`${v.slice(at + 1)}/index.js`, import.meta.url).href)) as {
    cpuBackend: Parameters<typeof registerBackend>[0];
  };
  registerBackend({ ...mod.cpuBackend, name: `cpu-${v.slice(0, at)}` });
  variants.push(v.slice(0, at));
}

type Model = InstanceType<typeof nn.Module>;
const models: Record<string, { input: number[]; build: () => Model }> = {
  linear: { input: [1, 784], build: () => new nn.Linear(784, 512) },
  mlp: {
    input: [1, 784],
    build: () =>
      new nn.Sequential(
        new nn.Linear(784, 512),
        new nn.ReLU(),
        new nn.Linear(512, 512),
        new nn.ReLU(),
        new nn.Linear(512, 10),
      ),
  },
  lenet: {
    input: [1, 1, 28, 28],
    build: () =>
      new nn.Sequential(
        new nn.Conv2d(1, 6, 5, { padding: 2 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(400, 120),
        new nn.ReLU(),
        new nn.Linear(120, 84),
        new nn.ReLU(),
        new nn.Linear(84, 10),
      ),
  },
};

const calls = Number(args.calls);
const warmup = 200;
for (const [name, spec] of Object.entries(models)) {
  const infer = variants.map((v) => {
    setBackend(`cpu-${v}`);
    manualSeed(0);
    const model = spec.build();
    model.eval();
    const x = randn(spec.input);
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
