// The Node side of the browser tests: the CLI's own training loop (@flint/mnist's Trainer, what
// `pnpm mnist parity` runs) on the CLI's embedded digits, on cpu. Prints one JSON line:
//   { losses: number[], engine, probabilities?: number[][] }
// Arguments: one JSON object { model, steps, seed, lr, batchSize, modelFile?, samples? }; with
// modelFile, also the class probabilities of that file's model for training samples 0..samples-1.
process.env.FLINT_NO_AUTOLOAD = '1';
const { getBackend, load, loadMetadata } = await import('@flint/core');
await import('@flint/backend-cpu');
const mnist = await import('@flint/mnist');

const args = JSON.parse(process.argv[2] ?? '{}');
const { pixels, labels } = mnist.embeddedTrainSet();
const train = {
  images: mnist.bytesToUnit(pixels),
  labels,
  count: labels.length,
  rows: 28,
  cols: 28,
  source: 'embedded',
};
const trainer = mnist.Trainer.create({
  model: args.model ?? 'mlp-small',
  device: 'cpu',
  epochs: 1,
  batchSize: args.batchSize ?? 64,
  lr: args.lr ?? 0.5,
  optimizer: 'sgd',
  momentum: 0.9,
  seed: args.seed ?? 0,
});
// parity's loop: one epoch order, consecutive batches (a new order when it runs out).
let order = trainer.epochOrder(train.count);
let pos = 0;
const losses = [];
for (let step = 0; step < (args.steps ?? 0); step++) {
  if (pos >= train.count) {
    order = trainer.epochOrder(train.count);
    pos = 0;
  }
  const indices = order.subarray(pos, Math.min(train.count, pos + trainer.config.batchSize));
  pos += indices.length;
  losses.push((await trainer.trainBatch(train, indices)).loss);
}
trainer.dispose();

const out = { losses, engine: getBackend('cpu').engine() };
if (args.modelFile !== undefined) {
  const meta = loadMetadata(args.modelFile);
  const model = mnist.createModel(meta.model);
  model.loadStateDict(load(args.modelFile, { device: 'cpu' }));
  const n = args.samples ?? 5;
  out.probabilities = await mnist.predictProbabilities(model, train.images.slice(0, n * 784), 'cpu');
}
process.stdout.write(`${JSON.stringify(out)}\n`);
