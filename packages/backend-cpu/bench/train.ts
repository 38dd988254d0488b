/**
 * Full training-step throughput through @flint/core (autograd, nn.Linear, CrossEntropyLoss,
 * optim.SGD, tidy) on the CPU backend, batch 64, for the JavaScript and the WebAssembly SIMD gemm:
 *   784-16-16-10 with sigmoid, 784-512-512-10 with ReLU.
 * Imports the workspace sources (tsx resolves @flint/core through tsconfig paths), so no build.
 * Run: npx tsx bench/train.ts [js|wasm-simd]   (from packages/backend-cpu; default: both)
 */
process.env['FLINT_NO_AUTOLOAD'] = '1';
const { manualSeed, nn, optim, randn, randint, tidy, getBackend } = await import('@flint/core');
const { setGemmImpl, gemmImpl } = await import('../src/impl/gemm.js');
const { wasmSimdAvailable } = await import('../src/impl/gemm-wasm.js');
await import('../src/index.js');

type GemmImpl = ReturnType<typeof gemmImpl>;
const B = 64;

function mlp(hidden: number, act: 'sigmoid' | 'relu'): InstanceType<typeof nn.Sequential> {
  const a = (): InstanceType<typeof nn.Module> => (act === 'relu' ? new nn.ReLU() : new nn.Sigmoid());
  return new nn.Sequential(new nn.Linear(784, hidden), a(), new nn.Linear(hidden, hidden), a(), new nn.Linear(hidden, 10));
}

/** Median samples/s over ~`seconds` of steps (after a warm-up), each step in its own tidy. */
function bench(hidden: number, act: 'sigmoid' | 'relu', seconds: number): [number, number] {
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
  for (let i = 0; i < 5; i++) step();
  const times: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || times.length < 10) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  times.sort((p, q) => p - q);
  const sps = (ms: number): number => (B * 1000) / ms;
  return [sps(times[Math.floor(times.length / 2)]!), sps(times[0]!)];
}

const arg = process.argv[2] as GemmImpl | undefined;
const impls: GemmImpl[] = arg !== undefined ? [arg] : wasmSimdAvailable ? ['js', 'wasm-simd'] : ['js'];
console.log(`Node ${process.version}, backend ${getBackend().name}, batch ${B}; training samples/s median (best)`);
for (const [hidden, act] of [
  [16, 'sigmoid'],
  [512, 'relu'],
] as const) {
  const cells = impls.map((impl) => {
    setGemmImpl(impl);
    const [med, best] = bench(hidden, act, 3);
    return `${impl}: ${med.toFixed(0)} (${best.toFixed(0)})`;
  });
  console.log(`784-${hidden}-${hidden}-10 ${act}`.padEnd(26) + cells.join('   '));
}
