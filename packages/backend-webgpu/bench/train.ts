/**
 * Training throughput (samples/s) of the three parity models on WebGPU and on backend-cpu, SGD with
 * momentum, batch 64 (or the first argument), the loss read back with `await loss.data()` every step.
 * Run: npx tsx bench/train.ts [batch]   (from packages/backend-webgpu)
 */
import * as api from '@flint/core';
import { cpuBackend } from '@flint/backend-cpu';
import { createParityModel, PARITY_MODELS, SyntheticDigits } from '@flint/conformance';
import { webgpuBackend } from '../src/index.js';

const batch = Number(process.argv[2] ?? 64);

async function samplesPerSecond(model: (typeof PARITY_MODELS)[number], device: string): Promise<number> {
  api.manualSeed(0);
  const net = createParityModel(api, model, device);
  const opt = new api.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const lossFn = new api.nn.CrossEntropyLoss();
  const data = new SyntheticDigits();
  const step = async () => {
    const b = data.nextBatch(batch);
    const loss = api.tidy(() => {
      const x = api.fromArray(b.x, [batch, 1, 28, 28], { device });
      const y = api.fromArray(b.y, [batch], { dtype: 'int32', device });
      opt.zeroGrad();
      const l: api.Tensor = lossFn(net(x), y);
      l.backward();
      opt.step();
      return l;
    });
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const steps = model === 'lenet' ? 10 : 20;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t0) / 1000;
  opt.zeroGrad();
  opt.disposeState();
  for (const p of net.parameters()) p.dispose();
  return (steps * batch) / seconds;
}

await webgpuBackend.init();
if (!api.hasBackend('cpu')) api.registerBackend(cpuBackend);
if (!api.hasBackend('webgpu')) api.registerBackend(webgpuBackend);
console.log(`engine: ${webgpuBackend.engine()}; batch ${batch}`);
for (const model of PARITY_MODELS) {
  const gpu = await samplesPerSecond(model, 'webgpu');
  const cpu = await samplesPerSecond(model, 'cpu');
  console.log(
    `${model.padEnd(9)}: webgpu ${gpu.toFixed(0).padStart(7)} samples/s, cpu ${cpu.toFixed(0).padStart(7)} samples/s`,
  );
}
