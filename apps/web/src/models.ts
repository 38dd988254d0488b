/**
 * The CLI's digit classifiers, from the one module that defines them (`@flint/mnist/models`, which
 * needs only @flint/core): same classes and layer order, so `manualSeed(s)` gives the same initial
 * weights here as in `pnpm mnist`, and a `model.safetensors` it wrote loads (same key names).
 */
export { LeNet, MODELS, Mlp, MlpSmall, type ModelSpec, modelSpec } from '@flint/mnist/models';
