/**
 * The Flint module for each nn class the module fixtures use (fixtures/modules*.json), built from
 * the case's PyTorch constructor arguments (snake_case keyword names) on the current default
 * device. Shared by core's nn tests (cpu) and every backend's test files through `runModuleFixtures`.
 */
import type { ModuleFixture, TorchArgs } from '../fixtures/load.js';
import type { FlintApi } from '../ops/adapters.js';

type Nn = FlintApi['nn'];
export type FixtureModule = InstanceType<Nn['Module']>;
type Builder = (api: FlintApi, c: ModuleFixture) => FixtureModule;
type AnyCtor = new (...args: unknown[]) => FixtureModule;

const camelName = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** PyTorch's keyword arguments (snake_case) as Flint's options object (camelCase), less the positional ones. */
function camelOptions(options: TorchArgs, positional: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options)
      .filter(([k]) => !positional.includes(k))
      .map(([k, v]) => [camelName(k), v]),
  );
}

/** `new nn[name](...args)`: for the families whose constructors share one PyTorch signature. */
function make(api: FlintApi, name: string, ...args: unknown[]): FixtureModule {
  const Ctor = (api.nn as unknown as Record<string, AnyCtor | undefined>)[name];
  if (Ctor === undefined) throw new Error(`@flint/core does not provide nn.${name}`);
  return new Ctor(...args);
}

/** modules.json (generate.py): Linear, Conv2d, BatchNorm, LayerNorm, RNN/GRU/LSTM, MultiheadAttention. */
const LAYER_BUILDERS: Record<string, Builder> = {
  Linear: ({ nn }, { options: o }) => new nn.Linear(o.in_features, o.out_features, { bias: o.bias ?? true }),
  BatchNorm1d: ({ nn }, { options: o }) => new nn.BatchNorm1d(o.num_features, { eps: o.eps, momentum: o.momentum }),
  BatchNorm2d: ({ nn }, { options: o }) => new nn.BatchNorm2d(o.num_features, { eps: o.eps, momentum: o.momentum }),
  LayerNorm: ({ nn }, { options: o }) => new nn.LayerNorm(o.normalized_shape, { eps: o.eps }),
  MultiheadAttention: ({ nn }, { options: o }) =>
    new nn.MultiheadAttention(o.embed_dim, o.num_heads, { batchFirst: o.batch_first }),
  ...Object.fromEntries(
    (['RNN', 'GRU', 'LSTM'] as const).map((name): [string, Builder] => [
      name,
      ({ nn }, { options: o }) =>
        new nn[name](o.input_size, o.hidden_size, {
          numLayers: o.num_layers,
          batchFirst: o.batch_first,
          bidirectional: o.bidirectional,
          ...(name === 'RNN' && o.nonlinearity !== undefined ? { nonlinearity: o.nonlinearity } : {}),
        }),
    ]),
  ),
};

/** modules-convpool.json (generate_convpool.py): convolutions, pools, resizing, fold/unfold, padding layers. */
const CONVPOOL_BUILDERS: Record<string, Builder> = {
  ...Object.fromEntries(
    ['Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d'].map((name): [string, Builder] => [
      name,
      (api, { options: o }) =>
        make(
          api,
          name,
          o.in_channels,
          o.out_channels,
          o.kernel_size,
          camelOptions(o, ['in_channels', 'out_channels', 'kernel_size']),
        ),
    ]),
  ),
  ...Object.fromEntries(
    ['MaxPool1d', 'AvgPool1d'].map((name): [string, Builder] => [
      name,
      (api, { options: o }) => make(api, name, o.kernel_size, camelOptions(o, ['kernel_size'])),
    ]),
  ),
  ...Object.fromEntries(
    ['AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d'].map((name): [string, Builder] => [
      name,
      (api, { options: o }) => make(api, name, o.output_size, camelOptions(o, ['output_size'])),
    ]),
  ),
  Upsample: (api, { options: o }) => make(api, 'Upsample', camelOptions(o, [])),
  UpsamplingBilinear2d: (api, { options: o }) => make(api, 'UpsamplingBilinear2d', camelOptions(o, [])),
  PixelShuffle: ({ nn }, { options: o }) => new nn.PixelShuffle(o.upscale_factor),
  PixelUnshuffle: ({ nn }, { options: o }) => new nn.PixelUnshuffle(o.downscale_factor),
  Unfold: (api, { options: o }) => make(api, 'Unfold', o.kernel_size, camelOptions(o, ['kernel_size'])),
  Fold: (api, { options: o }) =>
    make(api, 'Fold', o.output_size, o.kernel_size, camelOptions(o, ['output_size', 'kernel_size'])),
  ...Object.fromEntries(
    ['ZeroPad2d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReplicationPad1d', 'ReplicationPad2d'].map(
      (name): [string, Builder] => [name, (api, { options: o }) => make(api, name, o.padding)],
    ),
  ),
  ...Object.fromEntries(
    ['ConstantPad1d', 'ConstantPad2d'].map((name): [string, Builder] => [
      name,
      (api, { options: o }) => make(api, name, o.padding, o.value),
    ]),
  ),
};

/** modules-nnextra.json (generate_nnextra.py): norms, activations, dropouts, EmbeddingBag, Bilinear, distances, losses. */
const NNEXTRA_BUILDERS: Record<string, Builder> = {
  PReLU: ({ nn }, { options: o }) => new nn.PReLU(o.num_parameters ?? 1, o.init ?? 0.25),
  Hardshrink: ({ nn }, { options: o }) => new nn.Hardshrink(o.lambd),
  Softshrink: ({ nn }, { options: o }) => new nn.Softshrink(o.lambd),
  CELU: ({ nn }, { options: o }) => new nn.CELU(o.alpha),
  GLU: ({ nn }, { options: o }) => new nn.GLU(o.dim),
  Threshold: ({ nn }, { options: o }) => new nn.Threshold(o.threshold, o.value),
  Softmin: ({ nn }, { options: o }) => new nn.Softmin(o.dim),
  ...Object.fromEntries(
    ['Hardsigmoid', 'Softsign', 'LogSigmoid', 'Tanhshrink', 'SELU', 'Mish', 'Hardswish', 'RReLU'].map(
      (name): [string, Builder] => [name, (api) => make(api, name)],
    ),
  ),
  ...Object.fromEntries(
    ['Dropout1d', 'Dropout2d', 'AlphaDropout', 'FeatureAlphaDropout'].map((name): [string, Builder] => [
      name,
      (api, { options: o }) => make(api, name, o.p),
    ]),
  ),
  GroupNorm: ({ nn }, { options: o }) => new nn.GroupNorm(o.num_groups, o.num_channels, { affine: o.affine }),
  InstanceNorm1d: ({ nn }, { options: o }) =>
    new nn.InstanceNorm1d(o.num_features, { affine: o.affine, trackRunningStats: o.track_running_stats }),
  InstanceNorm2d: ({ nn }, { options: o }) =>
    new nn.InstanceNorm2d(o.num_features, { affine: o.affine, trackRunningStats: o.track_running_stats }),
  LocalResponseNorm: ({ nn }, { options: o }) => new nn.LocalResponseNorm(o.size),
  EmbeddingBag: ({ nn }, { options: o }) =>
    new nn.EmbeddingBag(o.num_embeddings, o.embedding_dim, { mode: o.mode, paddingIdx: o.padding_idx }),
  Bilinear: ({ nn }, { options: o }) =>
    new nn.Bilinear(o.in1_features, o.in2_features, o.out_features, { bias: o.bias }),
  CosineSimilarity: ({ nn }, { options: o }) => new nn.CosineSimilarity({ dim: o.dim }),
  PairwiseDistance: ({ nn }, { options: o }) => new nn.PairwiseDistance({ p: o.p }),
  TripletMarginLoss: ({ nn }, { options: o }) => new nn.TripletMarginLoss({ margin: o.margin, swap: o.swap }),
  KLDivLoss: ({ nn }, { options: o }) => new nn.KLDivLoss({ reduction: o.reduction, logTarget: o.log_target }),
  HuberLoss: ({ nn }, { options: o }) => new nn.HuberLoss({ delta: o.delta, reduction: o.reduction }),
  SmoothL1Loss: ({ nn }, { options: o }) => new nn.SmoothL1Loss({ beta: o.beta }),
  MarginRankingLoss: ({ nn }, { options: o }) => new nn.MarginRankingLoss({ margin: o.margin, reduction: o.reduction }),
  HingeEmbeddingLoss: ({ nn }, { options: o }) => new nn.HingeEmbeddingLoss({ margin: o.margin }),
  CosineEmbeddingLoss: ({ nn }, { options: o }) =>
    new nn.CosineEmbeddingLoss({ margin: o.margin, reduction: o.reduction }),
  PoissonNLLLoss: ({ nn }, { options: o }) => new nn.PoissonNLLLoss({ logInput: o.log_input, full: o.full }),
  GaussianNLLLoss: ({ nn }, { options: o }) => new nn.GaussianNLLLoss({ full: o.full, reduction: o.reduction }),
  // The class weight is a buffer: a placeholder of its shape here, PyTorch's values from the state dict.
  MultiLabelSoftMarginLoss: (api, c) =>
    new api.nn.MultiLabelSoftMarginLoss({ weight: api.ones(stateShape(c, 'weight')), reduction: c.options.reduction }),
  MultiMarginLoss: (api, c) =>
    new api.nn.MultiMarginLoss({ weight: api.ones(stateShape(c, 'weight')), p: c.options.p, margin: c.options.margin }),
  CTCLoss: ({ nn }, { options: o }) => new nn.CTCLoss({ blank: o.blank, zeroInfinity: o.zero_infinity }),
};

function stateShape(c: ModuleFixture, key: string): number[] {
  const t = c.state[key];
  if (t === undefined) throw new Error(`${c.name}: the fixture's state has no '${key}'`);
  return [...t.shape];
}

/** modules-transformer.json (generate_modules_transformer.py): the Transformer family, RNN cells, weight norm. */
const TRANSFORMER_BUILDERS: Record<string, Builder> = {
  TransformerEncoderLayer: ({ nn }, { options: o }) =>
    new nn.TransformerEncoderLayer(o.d_model, o.nhead, layerOptions(o)),
  TransformerEncoder: ({ nn }, { options: o }) =>
    new nn.TransformerEncoder(
      new nn.TransformerEncoderLayer(o.d_model, o.nhead, layerOptions(o)),
      o.num_layers,
      o.norm ? new nn.LayerNorm(o.d_model) : null,
    ),
  TransformerDecoderLayer: ({ nn }, { options: o }) =>
    new nn.TransformerDecoderLayer(o.d_model, o.nhead, layerOptions(o)),
  TransformerDecoder: ({ nn }, { options: o }) =>
    new nn.TransformerDecoder(
      new nn.TransformerDecoderLayer(o.d_model, o.nhead, layerOptions(o)),
      o.num_layers,
      o.norm ? new nn.LayerNorm(o.d_model) : null,
    ),
  Transformer: ({ nn }, { options: o }) =>
    new nn.Transformer({
      dModel: o.d_model,
      nhead: o.nhead,
      numEncoderLayers: o.num_encoder_layers,
      numDecoderLayers: o.num_decoder_layers,
      ...layerOptions(o),
    }),
  RNNCell: ({ nn }, { options: o }) =>
    new nn.RNNCell(o.input_size, o.hidden_size, { bias: o.bias, nonlinearity: o.nonlinearity }),
  LSTMCell: ({ nn }, { options: o }) => new nn.LSTMCell(o.input_size, o.hidden_size, { bias: o.bias }),
  GRUCell: ({ nn }, { options: o }) => new nn.GRUCell(o.input_size, o.hidden_size, { bias: o.bias }),
  'weight_norm(Linear)': ({ nn }, { options: o }) =>
    nn.utils.weightNorm(new nn.Linear(o.in_features, o.out_features), 'weight', o.dim),
};

function layerOptions(o: TorchArgs) {
  return {
    dimFeedforward: o.dim_feedforward,
    dropout: o.dropout,
    activation: o.activation,
    normFirst: o.norm_first,
    batchFirst: o.batch_first,
    layerNormEps: o.layer_norm_eps,
  };
}

/**
 * Every fixture module class (PyTorch's name, or the generator's label such as
 * 'weight_norm(Linear)') to its builder. A class used by two files (Conv2d, RNN/GRU/LSTM) has one
 * builder that forwards every option the fixtures use.
 */
export const MODULE_BUILDERS: Readonly<Record<string, Builder>> = {
  ...LAYER_BUILDERS,
  ...NNEXTRA_BUILDERS,
  ...TRANSFORMER_BUILDERS,
  ...CONVPOOL_BUILDERS,
};

/** The Flint module for a fixture case, on the current default device. */
export function buildFixtureModule(api: FlintApi, c: ModuleFixture): FixtureModule {
  const builder = MODULE_BUILDERS[c.module];
  if (builder === undefined)
    throw new Error(
      `${c.name}: no builder for fixture module '${c.module}' (add one to @flint/conformance's src/modules/builders.ts)`,
    );
  return builder(api, c);
}
