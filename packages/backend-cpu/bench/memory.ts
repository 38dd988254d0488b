/**
 * Memory over a long LeNet-5 training run on the cpu backend (batch 64, a fresh random batch every
 * step, each step in its own tidy): every `--every` steps an evaluation of 300 samples (batches of
 * 64 and a last one of 44, so other sizes come and go), then the live tensors (core's memory()),
 * the buffer pool, the conv column cache, the WebAssembly storage heap (live blocks, its quick
 * lists, the most it ever touched), and the process's RSS and array-buffer bytes. Flat numbers
 * from step to step are the check; the JS heap rises and falls with collection timing.
 * Run: npx tsx bench/memory.ts [--steps 1000] [--every 200]
 */
process.env.FLINT_NO_AUTOLOAD = '1';
const { parseArgs } = await import('node:util');
const { values: args } = parseArgs({
  options: { steps: { type: 'string', default: '1000' }, every: { type: 'string', default: '200' } },
});
const { manualSeed, memory, nn, noGrad, optim, randint, randn, tidy } = await import('@flint/core');
await import('../src/index.js');
const { pooledBufferBytes } = await import('../src/impl/buffers.js');
const { cachedColumnElements } = await import('../src/impl/conv.js');
const { heap } = await import('../src/impl/heap.js');

manualSeed(0);
const { MODELS } = await import('./common.js');
const model = MODELS.lenet!.build();
const lossFn = new nn.CrossEntropyLoss();
const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
for (let i = 1; i <= Number(args.steps); i++) {
  tidy(() => {
    const x = randn([64, 1, 28, 28]);
    const y = randint(0, 10, [64]);
    opt.zeroGrad();
    lossFn(model(x), y).backward();
    opt.step();
  });
  if (i % Number(args.every) === 0) {
    for (let s = 0; s < 300; s += 64)
      tidy(() => {
        noGrad(() => model(randn([Math.min(64, 300 - s), 1, 28, 28])));
      });
    const m = memory();
    const p = process.memoryUsage();
    const h =
      heap === null
        ? 'no heap'
        : `heap ${MiB(heap.usedBytes)} MiB live + ${MiB(heap.quickBytes)} MiB quick, high water ${MiB(heap.highWaterBytes)} MiB`;
    console.log(
      `step ${i}: live ${m.handles} tensors ${MiB(m.bytes)} MiB, pooled ${MiB(pooledBufferBytes())} MiB, ${h}, ` +
        `kept columns ${MiB(cachedColumnElements() * 4)} MiB, RSS ${MiB(p.rss)} MiB, ` +
        `array buffers ${MiB(p.arrayBuffers)} MiB, JS heap ${MiB(p.heapUsed)} MiB`,
    );
  }
}
