/**
 * Full training-step throughput through @flint/core (autograd, nn.Linear, CrossEntropyLoss,
 * optim.SGD, tidy) on the CPU backend, batch 64, for each GEMM configuration (bench/configs.ts,
 * alternating step by step): 784-16-16-10 with sigmoid, 784-512-512-10 with ReLU.
 * Imports the workspace sources (tsx resolves @flint/core through tsconfig paths), so no build.
 * Run: npx tsx bench/train.ts   (from packages/backend-cpu)
 */
process.env.FLINT_NO_AUTOLOAD = '1';
const { manualSeed, nn, optim, randn, randint, tidy, getBackend } = await import('@flint/core');
await import('../src/index.js');
const { best, gemmConfigs, interleave, median } = await import('./configs.js');
const B = 64;

function mlp(hidden: number, act: 'sigmoid' | 'relu'): InstanceType<typeof nn.Sequential> {
  const a = (): InstanceType<typeof nn.Module> => (act === 'relu' ? new nn.ReLU() : new nn.Sigmoid());
  return new nn.Sequential(
    new nn.Linear(784, hidden),
    a(),
    new nn.Linear(hidden, hidden),
    a(),
    new nn.Linear(hidden, 10),
  );
}

const configs = gemmConfigs();

/** Samples/s (median, best) per configuration over ~`seconds` of alternating steps, each in its own tidy. */
function bench(hidden: number, act: 'sigmoid' | 'relu', seconds: number): [number, number][] {
  manualSeed(0);
  const model = mlp(hidden, act);
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const x = randn([B, 784]);
  const y = randint(0, 10, [B]);
  const step = (): void =>
    tidy(() => {
      const loss = lossFn(model(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
  interleave(configs, step, 0, 5); // warm-up
  const times = interleave(configs, step, seconds * 1000, 10);
  x.dispose();
  y.dispose();
  const sps = (ms: number): number => (B * 1000) / ms;
  return times.map((ts) => [sps(median(ts)), sps(best(ts))]);
}

console.log(`Node ${process.version}, backend ${getBackend().name}, batch ${B}; training samples/s, median (best)`);
console.log(`${''.padEnd(26)}${configs.map((c) => c.name.padStart(20)).join('')}`);
for (const [hidden, act] of [
  [16, 'sigmoid'],
  [512, 'relu'],
] as const) {
  const cells = bench(hidden, act, 8).map(([med, top]) => `${med.toFixed(0)} (${top.toFixed(0)})`.padStart(20));
  console.log(`784-${hidden}-${hidden}-10 ${act}`.padEnd(26) + cells.join(''));
}
