/**
 * The module fixtures (fixtures/modules.json, modules-convpool.json, modules-nnextra.json,
 * modules-transformer.json) run through @flint/core's public API on any backend. Per case: build the
 * module from the case's PyTorch constructor arguments (src/modules/builders.ts), check its
 * state_dict keys and order against PyTorch's, load PyTorch's state dict strictly, set train or
 * eval mode as the case says, run the forward the way the generator called it, compare every
 * output, backpropagate sum(output 0 * cotangent), compare the float inputs' and every parameter's
 * gradient, and the state dict after the forward (BatchNorm's and InstanceNorm's running
 * statistics). Random modules appear only in their deterministic forms (eval mode, or p = 0), as
 * the generators wrote them. Every read is `await t.data()`, so backends that cannot read
 * synchronously run it too. Core's nn tests run it on cpu; each backend's test files call
 * `runModuleFixtures`.
 */
import { describe, expect, it } from 'vitest';
import { openBackend, type BackendFactory } from '../backend-factory.js';
import { compareData, type Tolerance } from '../compare.js';
import { loadModuleFixtures, type ModuleFixture } from '../fixtures/load.js';
import { toDataArray, type HostTensor } from '../reference/tensor.js';
import type { FlintApi, Tensor } from '../ops/adapters.js';
import { buildFixtureModule, type FixtureModule } from './builders.js';

/** The module fixture files, each written by its generator in fixtures/. */
export const MODULE_FIXTURE_FILES = [
  'modules.json',
  'modules-convpool.json',
  'modules-nnextra.json',
  'modules-transformer.json',
] as const;
export type ModuleFixtureFile = (typeof MODULE_FIXTURE_FILES)[number];

/** rtol 2e-4 / atol 2e-5: float32 through a few layers, against PyTorch's float32. */
export const MODULE_TOLERANCE: Tolerance = { rtol: 2e-4, atol: 2e-5 };

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
const isHost = (v: unknown): v is HostTensor => typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;

function upload(api: FlintApi, t: HostTensor, requiresGrad = false): Tensor {
  return api.fromArray(toDataArray(t), t.shape, { dtype: t.dtype, requiresGrad });
}

/** Runs the module the way the fixture's generator called it (keyword arguments as an options object). */
export function callFixtureModule(api: FlintApi, m: FixtureModule, c: ModuleFixture, inputs: Tensor[]): unknown {
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kwargs)) kw[camel(k)] = isHost(v) ? upload(api, v) : v;
  const rnn = api.nn.utils.rnn;
  if (c.call === 'packed') {
    const [x, ...state] = inputs;
    const batchFirst = kw.batchFirst as boolean;
    const packed = rnn.packPaddedSequence(x!, kw.lengths as number[], batchFirst, kw.enforceSorted as boolean);
    const hx = state.length === 0 ? null : c.module === 'LSTM' ? state : state[0];
    const [out, h] = m(packed, hx) as [InstanceType<typeof rnn.PackedSequence>, Tensor | Tensor[]];
    const [padded] = rnn.padPackedSequence(out, batchFirst);
    return [padded, h];
  }
  if (c.call !== undefined) throw new Error(`${c.name}: unknown call '${c.call}' (known: 'packed')`);
  switch (c.module) {
    case 'TransformerEncoderLayer':
    case 'TransformerEncoder':
      return m(inputs[0], kw);
    case 'TransformerDecoderLayer':
    case 'TransformerDecoder':
    case 'Transformer':
      return m(inputs[0], inputs[1], kw);
    case 'LSTMCell':
      return m(inputs[0], inputs.length > 1 ? [inputs[1], inputs[2]] : null);
    default:
      return Object.keys(kw).length === 0 ? m(...inputs) : m(...inputs, kw);
  }
}

/** Tensors of a forward's result in PyTorch's order (tuples flattened; a max-with-indices result as values, indices). */
function flatOutputs(api: FlintApi, out: unknown): Tensor[] {
  if (api.isTensor(out)) return [out];
  if (Array.isArray(out)) return out.flatMap((o) => flatOutputs(api, o));
  if (typeof out === 'object' && out !== null && 'values' in out && 'indices' in out) {
    const r = out as { values: unknown; indices: unknown };
    return [...flatOutputs(api, r.values), ...flatOutputs(api, r.indices)];
  }
  return [];
}

/**
 * One case on the current default device; throws listing every mismatch. A missing gradient
 * counts as zeros (PyTorch's fixtures then hold zeros), so it passes only where PyTorch's is zero.
 */
export async function runModuleFixture(
  api: FlintApi,
  c: ModuleFixture,
  tol: Tolerance = MODULE_TOLERANCE,
  /** When given, every output, gradient and state tensor must live on this backend. */
  device?: string,
): Promise<void> {
  const problems: string[] = [];
  const check = async (t: Tensor, e: HostTensor | undefined, label: string): Promise<void> => {
    if (e === undefined) {
      problems.push(`${label}: not in the fixture`);
      return;
    }
    if (device !== undefined && t.device !== device) {
      problems.push(`${label}: on device '${t.device}', expected '${device}'`);
      return;
    }
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      problems.push(`${label}: shape [${t.shape.join(',')}], expected [${e.shape.join(',')}]`);
      return;
    }
    problems.push(...compareData(await t.data(), e, tol, label));
  };
  const m = buildFixtureModule(api, c);
  m.train(c.train);
  // PyTorch's state_dict keys, in PyTorch's order; then a strict load of its values.
  expect(Object.keys(m.stateDict()), `${c.name}: state_dict keys`).toEqual(Object.keys(c.state));
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, upload(api, v)])));
  const inputs = c.inputs.map((e) => upload(api, e, e.dtype === 'float32'));
  const outs = flatOutputs(api, callFixtureModule(api, m, c, inputs));
  expect(outs.length, `${c.name}: number of outputs`).toBe(c.outputs.length);
  for (const [i, o] of outs.entries()) await check(o, c.outputs[i], `output ${i}`);
  outs[0]!.mul(upload(api, c.cotangent)).sum().backward();
  // inputGrads holds one gradient per float input, in order (indices and lengths have none).
  const floatInputs = inputs.filter((x) => x.dtype === 'float32');
  expect(c.inputGrads.length, `${c.name}: input gradients`).toBe(floatInputs.length);
  for (const [i, x] of floatInputs.entries())
    await check(x.grad ?? api.zerosLike(x), c.inputGrads[i], `input grad ${i}`);
  for (const [k, p] of m.namedParameters()) await check(p.grad ?? api.zerosLike(p), c.paramGrads[k], `grad of ${k}`);
  // The state the generator recorded after the forward (modules-transformer.json records none).
  const after = m.stateDict();
  for (const [k, e] of Object.entries(c.stateAfter)) {
    const v = after[k];
    if (v === undefined) problems.push(`state ${k} after the forward: not in the module's state_dict`);
    else await check(v, e, `state ${k} after the forward`);
  }
  if (problems.length > 0) throw new Error(`${c.name}:\n  ${problems.join('\n  ')}`);
}

export interface ModuleFixtureOptions<S> {
  backend: BackendFactory<S>;
  /** Every case's tolerance; default MODULE_TOLERANCE (rtol 2e-4 / atol 2e-5). */
  tolerance?: Tolerance;
  /** Per module class ('GroupNorm') or case name, looser than `tolerance` where a backend's float32 differs (say why in its README). */
  tolerances?: Readonly<Record<string, Tolerance>>;
}

/** The tolerance for one case: its name's entry, else its module class's, else the default. */
export function moduleTolerance(
  c: ModuleFixture,
  options: Pick<ModuleFixtureOptions<unknown>, 'tolerance' | 'tolerances'>,
): Tolerance {
  return options.tolerances?.[c.name] ?? options.tolerances?.[c.module] ?? options.tolerance ?? MODULE_TOLERANCE;
}

/** Registers one test per case of `file` (a fixtures/modules*.json) on the given backend (made the default). */
export function runModuleFixtures<S>(file: ModuleFixtureFile, options: ModuleFixtureOptions<S>): void {
  describe(`${file} (PyTorch module fixtures)`, async () => {
    const b = await openBackend(options.backend);
    const api = await import('@flint/core');
    if (!api.hasBackend(b.name) || api.getBackend(b.name) !== b) api.registerBackend(b);
    api.setBackend(b.name);
    const cases = loadModuleFixtures(file);
    for (const c of cases) it(c.name, () => runModuleFixture(api, c, moduleTolerance(c, options), b.name));
  });
}
