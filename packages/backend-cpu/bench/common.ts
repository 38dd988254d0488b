/**
 * What the step and latency benchmarks share: the reference models (PyTorch's are in issue 12's
 * reference script, outside this repository) and the loading of `--variant name=srcDir` copies of the
 * backend's src, each registered as its own backend `cpu-<name>`. Import it dynamically, after
 * setting FLINT_NO_AUTOLOAD, as the benchmarks do with @flint/core.
 */
import { nn } from '@flint/core';
import { registerBackend } from '@flint/core/backend';

type Model = InstanceType<typeof nn.Module>;

const mlp = (hidden: number, Activation: typeof nn.ReLU | typeof nn.Sigmoid) => (): Model =>
  new nn.Sequential(
    new nn.Linear(784, hidden),
    new Activation(),
    new nn.Linear(hidden, hidden),
    new Activation(),
    new nn.Linear(hidden, 10),
  );

/** The models by name, with the shape of one input sample. */
export const MODELS: Record<string, { sample: number[]; build: () => Model }> = {
  linear: { sample: [784], build: () => new nn.Linear(784, 512) },
  'mlp-small': { sample: [784], build: mlp(16, nn.Sigmoid) },
  mlp: { sample: [784], build: mlp(512, nn.ReLU) },
  lenet: {
    sample: [1, 28, 28],
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

export function modelSpec(name: string, among: readonly string[]): { sample: number[]; build: () => Model } {
  const spec = MODELS[name];
  if (spec === undefined || !among.includes(name))
    throw new Error(`unknown --model ${name}; expected one of ${among.join(', ')}`);
  return spec;
}

/**
 * Import each `name=srcDir` copy of the backend's src (relative to bench/) and register it as
 * `cpu-<name>`. Returns the names in order.
 */
export async function loadVariants(specs: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const v of specs) {
    const at = v.indexOf('=');
    if (at < 1) throw new Error(`--variant "${v}" should be name=srcDir (e.g. after=../src)`);
    const mod = (await import(new URL(`${v.slice(at + 1)}/index.js`, import.meta.url).href)) as {
      cpuBackend: Parameters<typeof registerBackend>[0];
    };
    registerBackend({ ...mod.cpuBackend, name: `cpu-${v.slice(0, at)}` });
    names.push(v.slice(0, at));
  }
  return names;
}
