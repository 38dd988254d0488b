import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { loadModuleFixtures, type ModuleFixture } from '@flint/conformance';
import { nn, Tensor, zeros } from '../index.js';
import { decode, expectClose } from './test-helpers.js';

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

function layerOptions(o: TorchOptions): nn.TransformerEncoderLayerOptions {
  return {
    dimFeedforward: o.dim_feedforward,
    dropout: o.dropout,
    activation: o.activation,
    normFirst: o.norm_first,
    batchFirst: o.batch_first,
    layerNormEps: o.layer_norm_eps,
  };
}

function buildTransformerFixtureModule(c: ModuleFixture): nn.Module {
  const o = c.options as unknown as TorchOptions;
  switch (c.module) {
    case 'TransformerEncoderLayer':
      return new nn.TransformerEncoderLayer(o.d_model, o.nhead, layerOptions(o));
    case 'TransformerEncoder':
      return new nn.TransformerEncoder(
        new nn.TransformerEncoderLayer(o.d_model, o.nhead, layerOptions(o)),
        o.num_layers!,
        o.norm ? new nn.LayerNorm(o.d_model) : null,
      );
    case 'TransformerDecoderLayer':
      return new nn.TransformerDecoderLayer(o.d_model, o.nhead, layerOptions(o));
    case 'TransformerDecoder':
      return new nn.TransformerDecoder(
        new nn.TransformerDecoderLayer(o.d_model, o.nhead, layerOptions(o)),
        o.num_layers!,
        o.norm ? new nn.LayerNorm(o.d_model) : null,
      );
    case 'Transformer':
      return new nn.Transformer({
        dModel: o.d_model,
        nhead: o.nhead,
        numEncoderLayers: o.num_encoder_layers,
        numDecoderLayers: o.num_decoder_layers,
        ...layerOptions(o),
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
      throw new Error(`no builder for ${c.module}`);
  }
}

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** Runs the module the way the fixture's generator called it (keyword arguments as an options object). */
function callTransformerFixtureModule(m: nn.Module, c: ModuleFixture, inputs: Tensor[]): unknown {
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kwargs)) {
    kw[camel(k)] = typeof v === 'object' && v !== null && 'shape' in v ? decode(v as never) : v;
  }
  if (c.call === 'packed') {
    const [x, ...state] = inputs;
    const batchFirst = kw.batchFirst as boolean;
    const packed = nn.utils.rnn.packPaddedSequence(x!, kw.lengths as number[], batchFirst, kw.enforceSorted as boolean);
    const hx = state.length === 0 ? null : c.module === 'LSTM' ? state : state[0];
    const [out, h] = m(packed, hx) as [nn.utils.rnn.PackedSequence, Tensor | Tensor[]];
    const [padded] = nn.utils.rnn.padPackedSequence(out, batchFirst);
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

function flatOutputs(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  if (Array.isArray(out)) return out.flatMap(flatOutputs);
  return [];
}

describe('Transformer family, RNN cells, packed sequences, weight norm against PyTorch (modules-transformer.json)', () => {
  for (const c of loadModuleFixtures('modules-transformer.json')) {
    it(c.name, () => {
      const m = buildTransformerFixtureModule(c);
      m.train(c.train);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
      const inputs = c.inputs.map((e) => decode(e, e.dtype === 'float32'));
      const outs = flatOutputs(callTransformerFixtureModule(m, c, inputs));
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => {
        expectClose(o, c.outputs[i]!, 2e-4, 2e-5, `output ${i}`);
      });
      outs[0]!.mul(decode(c.cotangent)).sum().backward();
      c.inputGrads.forEach((g, i) => {
        expectClose(inputs[i]!.grad!, g, 2e-4, 2e-5, `input grad ${i}`);
      });
      for (const [k, p] of m.namedParameters())
        expectClose(p.grad ?? zeros(p.shape), c.paramGrads[k]!, 2e-4, 2e-5, `grad of ${k}`);
    });
  }
});
