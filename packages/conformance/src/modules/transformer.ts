/**
 * Module fixtures of fixtures/modules-transformer.json (generate_modules_transformer.py) run
 * through @flint/core's public API on any backend: the Transformer family, the RNN cells, RNN / GRU
 * / LSTM on packed sequences and weight norm. Per case: build the module, check its state_dict
 * keys and order against PyTorch's, load PyTorch's weights, run the forward the way the generator
 * called it, compare every output, backpropagate sum(output 0 * cotangent) and compare the input
 * and parameter gradients. Core's tests run it on cpu; each backend's test file calls
 * `runTransformerModuleFixtures`.
 */
import { describe, expect, it } from 'vitest';
import { openBackend, type BackendFactory } from '../backend-factory.js';
import { compareData, type Tolerance } from '../compare.js';
import { loadModuleFixtures, type ModuleFixture } from '../fixtures/load.js';
import { toDataArray, type HostTensor } from '../reference/tensor.js';
import type { FlintApi, Tensor } from '../ops/adapters.js';

type Nn = FlintApi['nn'];
type Module = InstanceType<Nn['Module']>;

/** The PyTorch constructor arguments modules-transformer.json uses, by their PyTorch names. */
interface TorchOptions {
  d_model: number;
  nhead: number;
  dim_feedforward?: number;
  dropout?: number;
  activation?: 'relu' | 'gelu';
  norm_first?: boolean;
  batch_first?: boolean;
  layer_norm_eps?: number;
  num_layers?: number;
  norm?: boolean;
  num_encoder_layers?: number;
  num_decoder_layers?: number;
  input_size: number;
  hidden_size: number;
  bias?: boolean;
  nonlinearity?: 'tanh' | 'relu';
  bidirectional?: boolean;
  in_features: number;
  out_features: number;
  dim: number | null;
}

/** The Flint module for a fixture case (on the current default device). */
export function buildTransformerFixtureModule(nn: Nn, c: ModuleFixture): Module {
  const o = c.options as unknown as TorchOptions;
  const layer = {
    dimFeedforward: o.dim_feedforward,
    dropout: o.dropout,
    activation: o.activation,
    normFirst: o.norm_first,
    batchFirst: o.batch_first,
    layerNormEps: o.layer_norm_eps,
  };
  switch (c.module) {
    case 'TransformerEncoderLayer':
      return new nn.TransformerEncoderLayer(o.d_model, o.nhead, layer);
    case 'TransformerEncoder':
      return new nn.TransformerEncoder(
        new nn.TransformerEncoderLayer(o.d_model, o.nhead, layer),
        o.num_layers!,
        o.norm ? new nn.LayerNorm(o.d_model) : null,
      );
    case 'TransformerDecoderLayer':
      return new nn.TransformerDecoderLayer(o.d_model, o.nhead, layer);
    case 'TransformerDecoder':
      return new nn.TransformerDecoder(
        new nn.TransformerDecoderLayer(o.d_model, o.nhead, layer),
        o.num_layers!,
        o.norm ? new nn.LayerNorm(o.d_model) : null,
      );
    case 'Transformer':
      return new nn.Transformer({
        dModel: o.d_model,
        nhead: o.nhead,
        numEncoderLayers: o.num_encoder_layers,
        numDecoderLayers: o.num_decoder_layers,
        ...layer,
      });
    case 'RNNCell':
      return new nn.RNNCell(o.input_size, o.hidden_size, { bias: o.bias, nonlinearity: o.nonlinearity });
    case 'LSTMCell':
      return new nn.LSTMCell(o.input_size, o.hidden_size, { bias: o.bias });
    case 'GRUCell':
      return new nn.GRUCell(o.input_size, o.hidden_size, { bias: o.bias });
    case 'RNN':
    case 'GRU':
    case 'LSTM': {
      const Ctor = { RNN: nn.RNN, GRU: nn.GRU, LSTM: nn.LSTM }[c.module];
      return new Ctor(o.input_size, o.hidden_size, {
        numLayers: o.num_layers,
        batchFirst: o.batch_first,
        bidirectional: o.bidirectional,
      });
    }
    case 'weight_norm(Linear)':
      return nn.utils.weightNorm(new nn.Linear(o.in_features, o.out_features), 'weight', o.dim);
    default:
      throw new Error(`no builder for fixture module '${c.module}' (add one to src/modules/transformer.ts)`);
  }
}

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
const isHost = (v: unknown): v is HostTensor => typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;

function upload(api: FlintApi, t: HostTensor, requiresGrad = false): Tensor {
  return api.fromArray(toDataArray(t), t.shape, { dtype: t.dtype, requiresGrad });
}

/** Runs the module the way the fixture's generator called it (keyword arguments as an options object). */
export function callTransformerFixtureModule(api: FlintApi, m: Module, c: ModuleFixture, inputs: Tensor[]): unknown {
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
      return m(...inputs);
  }
}

function flatOutputs(api: FlintApi, out: unknown): Tensor[] {
  if (api.isTensor(out)) return [out];
  if (Array.isArray(out)) return out.flatMap((o) => flatOutputs(api, o));
  return [];
}

/** One case on the current default device; throws listing every mismatch. */
export async function runTransformerModuleFixture(api: FlintApi, c: ModuleFixture, tol: Tolerance): Promise<void> {
  const problems: string[] = [];
  const check = async (t: Tensor | null, e: HostTensor, label: string): Promise<void> => {
    if (t === null) {
      problems.push(`${label}: no gradient`);
      return;
    }
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      problems.push(`${label}: shape [${t.shape.join(',')}], expected [${e.shape.join(',')}]`);
      return;
    }
    problems.push(...compareData(await t.data(), e, tol, label));
  };
  const m = buildTransformerFixtureModule(api.nn, c);
  m.train(c.train);
  expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, upload(api, v)])));
  const inputs = c.inputs.map((e) => upload(api, e, e.dtype === 'float32'));
  const outs = flatOutputs(api, callTransformerFixtureModule(api, m, c, inputs));
  expect(outs.length).toBe(c.outputs.length);
  for (const [i, o] of outs.entries()) await check(o, c.outputs[i]!, `output ${i}`);
  outs[0]!.mul(upload(api, c.cotangent)).sum().backward();
  for (const [i, g] of c.inputGrads.entries()) await check(inputs[i]!.grad, g, `input grad ${i}`);
  for (const [k, p] of m.namedParameters()) await check(p.grad, c.paramGrads[k]!, `grad of ${k}`);
  if (problems.length > 0) throw new Error(`${c.name}:\n  ${problems.join('\n  ')}`);
}

export interface TransformerModuleOptions<S> {
  backend: BackendFactory<S>;
  /** Default rtol 2e-4 / atol 2e-5 (float32 through several layers). */
  tolerance?: Tolerance;
}

/** Registers one test per modules-transformer.json case on the given backend (made the default). */
export function runTransformerModuleFixtures<S>(options: TransformerModuleOptions<S>): void {
  const tol = options.tolerance ?? { rtol: 2e-4, atol: 2e-5 };
  describe('modules-transformer.json (PyTorch module fixtures)', async () => {
    const b = await openBackend(options.backend);
    const api = await import('@flint/core');
    if (!api.hasBackend(b.name) || api.getBackend(b.name) !== b) api.registerBackend(b);
    api.setBackend(b.name);
    for (const c of loadModuleFixtures('modules-transformer.json')) {
      it(c.name, () => runTransformerModuleFixture(api, c, tol));
    }
  });
}
