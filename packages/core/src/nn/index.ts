/**
 * nn: Module, Parameter, containers, layers, losses, functional (`F`), init and utils —
 * PyTorch's torch.nn in TypeScript spelling.
 */
export { Module, Parameter, type StateDict, type LoadStateDictResult } from './module.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export { Linear, Identity, type LinearOptions } from './layers/linear.js';
export {
  Conv1d,
  Conv2d,
  type Conv1dModuleOptions,
  type Conv2dModuleOptions,
  type ConvPaddingMode,
} from './layers/conv.js';
export { ConvTranspose1d, ConvTranspose2d, type ConvTransposeModuleOptions } from './layers/conv-transpose.js';
export {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type MaxPool1dOptions,
  type MaxPool2dOptions,
  type AvgPool1dOptions,
  type AvgPool2dOptions,
} from './layers/pooling.js';
export {
  ZeroPad1d,
  ZeroPad2d,
  ConstantPad1d,
  ConstantPad2d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReplicationPad1d,
  ReplicationPad2d,
  CircularPad1d,
  CircularPad2d,
} from './layers/padding.js';
export {
  Upsample,
  UpsamplingNearest2d,
  UpsamplingBilinear2d,
  PixelShuffle,
  PixelUnshuffle,
  type UpsampleOptions,
} from './layers/upsample.js';
export { Unfold, Fold } from './layers/fold.js';
export {
  ReLU,
  ReLU6,
  Sigmoid,
  Tanh,
  SiLU,
  GELU,
  LeakyReLU,
  ELU,
  Softplus,
  Hardtanh,
  Softmax,
  LogSoftmax,
} from './layers/activation.js';
export { Dropout, Flatten, Unflatten } from './layers/dropout.js';
export {
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  type BatchNormOptions,
  type LayerNormOptions,
} from './layers/normalization.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { RNN, LSTM, GRU, type RNNOptions } from './layers/rnn.js';
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions } from './layers/rnn-cell.js';
export {
  MultiheadAttention,
  causalMask,
  type MultiheadAttentionOptions,
  type AttentionForwardOptions,
} from './layers/attention.js';
export type { ScaledDotProductAttentionOptions } from './sdpa.js';
export {
  TransformerEncoderLayer,
  TransformerEncoder,
  TransformerDecoderLayer,
  TransformerDecoder,
  Transformer,
  type TransformerEncoderLayerOptions,
  type TransformerDecoderLayerOptions,
  type TransformerOptions,
  type EncoderForwardOptions,
  type DecoderForwardOptions,
  type TransformerForwardOptions,
} from './layers/transformer.js';
export type { ForwardHook, ForwardPreHook, FullBackwardHook } from './module.js';
export {
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  CrossEntropyLoss,
  NLLLoss,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
} from './loss.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export * as init from './init.js';
export * as utils from './utils.js';
// Issue 11: more activations, normalizations, dropouts, layers and losses.
export {
  SELU,
  CELU,
  PReLU,
  RReLU,
  Mish,
  Hardswish,
  Hardsigmoid,
  Softsign,
  LogSigmoid,
  Tanhshrink,
  Softmin,
  GLU,
  Threshold,
  Hardshrink,
  Softshrink,
} from './layers/activation.js';
export { Dropout1d, Dropout2d, AlphaDropout, FeatureAlphaDropout } from './layers/dropout.js';
export {
  GroupNorm,
  InstanceNorm1d,
  InstanceNorm2d,
  LocalResponseNorm,
  type GroupNormOptions,
  type InstanceNormOptions,
} from './layers/normalization.js';
export { EmbeddingBag, type EmbeddingBagOptions } from './layers/embedding.js';
export { CosineSimilarity, PairwiseDistance } from './layers/distance.js';
export { Bilinear } from './layers/bilinear.js';
export { ParameterList, ParameterDict } from './layers/params.js';
export {
  MarginRankingLoss,
  HingeEmbeddingLoss,
  CosineEmbeddingLoss,
  TripletMarginLoss,
  PoissonNLLLoss,
  GaussianNLLLoss,
  MultiLabelSoftMarginLoss,
  SoftMarginLoss,
  MultiMarginLoss,
  CTCLoss,
} from './loss.js';
