/**
 * The Transformer family (PyTorch's post-norm by default, or normFirst), from core ops:
 * TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer.
 */
import { formatShape } from '../../backend/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { tidy } from '../../tensor/scope.js';
import * as F from '../functional.js';
import { ModuleList } from '../container.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { causalMask, MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { checkOptionKeys } from '../../options.js';

const LAYER_OPTIONS = [
  'dimFeedforward',
  'dropout',
  'activation',
  'layerNormEps',
  'batchFirst',
  'normFirst',
  'bias',
  'device',
];

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  bias?: boolean;
  device?: string;
}

export interface EncoderForwardOptions {
  /** [S, S] or [N * nhead, S, S]: bool (true = not allowed) or float (added to the scores). */
  srcMask?: Tensor | null;
  /** TransformerEncoder's name for srcMask (PyTorch's `mask`). */
  mask?: Tensor | null;
  /** [N, S]: true (or -inf) marks padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** A causal mask over the sequence when no mask is given. */
  isCausal?: boolean;
}

const DECODER_MASKS: (keyof DecoderForwardOptions)[] = [
  'tgtMask',
  'memoryMask',
  'tgtKeyPaddingMask',
  'memoryKeyPaddingMask',
];

/** Options of TransformerDecoderLayer (the same as the encoder layer's). */
export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

export interface DecoderForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** A causal self-attention mask over tgt when tgtMask is not given. */
  tgtIsCausal?: boolean;
  /** A causal mask over memory when memoryMask is not given. */
  memoryIsCausal?: boolean;
}

/** Tensor or null: a positional mask argument (PyTorch's order) rather than an options object. */
const isMaskArg = (v: unknown): v is Tensor | null => v === null || v instanceof Tensor;

/** An options object, or PyTorch's positional masks mapped onto `names` in order. */
function forwardOptions<T extends object>(
  first: T | Tensor | null | undefined,
  rest: unknown[],
  names: (keyof T)[],
): T {
  if (first === undefined) return {} as T;
  if (!isMaskArg(first)) return first;
  const args = [first, ...rest];
  return Object.fromEntries(names.map((n, i) => [n, args[i] ?? null])) as T;
}

function activationOf(act: TransformerEncoderLayerOptions['activation']): (x: Tensor) => Tensor {
  const a = act ?? 'relu';
  if (a === 'relu') return F.relu;
  if (a === 'gelu') return (x) => F.gelu(x);
  if (typeof a === 'function') return a;
  throw new Error(`activation should be relu/gelu, not ${String(a)}`);
}

/**
 * self-attention + feed-forward with residuals and LayerNorm; parameter names as PyTorch
 * (self_attn.in_proj_weight, linear1.weight, norm1.weight, ...).
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, LAYER_OPTIONS);
    const p = options.dropout ?? 0.1;
    const bias = options.bias ?? true;
    const device = options.device;
    const ff = options.dimFeedforward ?? 2048;
    const eps = options.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, {
      dropout: p,
      bias,
      batchFirst: options.batchFirst ?? false,
      device,
    });
    this.linear1 = new Linear(dModel, ff, { bias, device });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias, device });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, device });
    this.norm2 = new LayerNorm(dModel, { eps, bias, device });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationOf(options.activation);
  }

  private sa(x: Tensor, options: EncoderForwardOptions): Tensor {
    const [out] = this.self_attn(x, x, x, {
      attnMask: options.srcMask ?? options.mask ?? null,
      keyPaddingMask: options.srcKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: options.isCausal ?? false,
    });
    return this.dropout1(out) as Tensor;
  }

  private ff(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x) as Tensor)))) as Tensor;
  }

  /** forward(src, { srcMask, srcKeyPaddingMask, isCausal }) or PyTorch's forward(src, srcMask, srcKeyPaddingMask). */
  override forward(
    src: Tensor,
    options?: EncoderForwardOptions | Tensor | null,
    srcKeyPaddingMask?: Tensor | null,
  ): Tensor {
    const o = forwardOptions<EncoderForwardOptions>(options, [srcKeyPaddingMask], ['srcMask', 'srcKeyPaddingMask']);
    return tidy(() => this.encode(src, o));
  }

  private encode(src: Tensor, options: EncoderForwardOptions): Tensor {
    let x = src;
    if (this.normFirst) {
      x = x.add(this.sa(this.norm1(x) as Tensor, options));
      x = x.add(this.ff(this.norm2(x) as Tensor));
    } else {
      x = this.norm1(x.add(this.sa(x, options))) as Tensor;
      x = this.norm2(x.add(this.ff(x))) as Tensor;
    }
    return x;
  }
}

/**
 * A stack of numLayers copies of `encoderLayer` (deep copies, so they start with the same weights
 * as PyTorch's _get_clones), then `norm` when given. State keys: layers.0.self_attn..., norm.weight.
 * `enableNestedTensor` is accepted and ignored (PyTorch's nested-tensor fast path changes no value
 * except zeroing padded positions in inference; Flint always takes the regular path).
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(
    encoderLayer: TransformerEncoderLayer,
    numLayers: number,
    norm: Module | null = null,
    options: { enableNestedTensor?: boolean; maskCheck?: boolean } = {},
  ) {
    super();
    void options;
    if (!Number.isInteger(numLayers) || numLayers < 1)
      throw new Error(`TransformerEncoder: num_layers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.deepCopy()));
    this.numLayers = numLayers;
    this.norm = norm;
  }

  /** forward(src, { mask, srcKeyPaddingMask, isCausal }) or PyTorch's forward(src, mask, srcKeyPaddingMask). */
  override forward(
    src: Tensor,
    options?: EncoderForwardOptions | Tensor | null,
    srcKeyPaddingMask?: Tensor | null,
  ): Tensor {
    const o = forwardOptions<EncoderForwardOptions>(options, [srcKeyPaddingMask], ['mask', 'srcKeyPaddingMask']);
    return tidy(() => {
      let x = src;
      for (const layer of this.layers) x = layer(x, o) as Tensor;
      return this.norm === null ? x : (this.norm(x) as Tensor);
    });
  }
}

/**
 * self-attention, cross-attention over `memory`, feed-forward, each with a residual and LayerNorm;
 * parameter names as PyTorch (self_attn, multihead_attn, linear1, linear2, norm1..3).
 */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, options: TransformerDecoderLayerOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, LAYER_OPTIONS);
    const p = options.dropout ?? 0.1;
    const bias = options.bias ?? true;
    const device = options.device;
    const ff = options.dimFeedforward ?? 2048;
    const eps = options.layerNormEps ?? 1e-5;
    const attn = { dropout: p, bias, batchFirst: options.batchFirst ?? false, device };
    this.self_attn = new MultiheadAttention(dModel, nhead, attn);
    this.multihead_attn = new MultiheadAttention(dModel, nhead, attn);
    this.linear1 = new Linear(dModel, ff, { bias, device });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias, device });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, device });
    this.norm2 = new LayerNorm(dModel, { eps, bias, device });
    this.norm3 = new LayerNorm(dModel, { eps, bias, device });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationOf(options.activation);
  }

  private sa(x: Tensor, o: DecoderForwardOptions): Tensor {
    const [out] = this.self_attn(x, x, x, {
      attnMask: o.tgtMask ?? null,
      keyPaddingMask: o.tgtKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: o.tgtIsCausal ?? false,
    });
    return this.dropout1(out) as Tensor;
  }

  private mha(x: Tensor, memory: Tensor, o: DecoderForwardOptions): Tensor {
    const [out] = this.multihead_attn(x, memory, memory, {
      attnMask: o.memoryMask ?? null,
      keyPaddingMask: o.memoryKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: o.memoryIsCausal ?? false,
    });
    return this.dropout2(out) as Tensor;
  }

  private ff(x: Tensor): Tensor {
    return this.dropout3(this.linear2(this.dropout(this.activation(this.linear1(x) as Tensor)))) as Tensor;
  }

  /**
   * forward(tgt, memory, { tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, ... }) or
   * PyTorch's positional forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask).
   */
  override forward(
    tgt: Tensor,
    memory: Tensor,
    options?: DecoderForwardOptions | Tensor | null,
    ...masks: (Tensor | null)[]
  ): Tensor {
    const o = forwardOptions<DecoderForwardOptions>(options, masks, DECODER_MASKS);
    return tidy(() => {
      let x = tgt;
      if (this.normFirst) {
        x = x.add(this.sa(this.norm1(x) as Tensor, o));
        x = x.add(this.mha(this.norm2(x) as Tensor, memory, o));
        x = x.add(this.ff(this.norm3(x) as Tensor));
      } else {
        x = this.norm1(x.add(this.sa(x, o))) as Tensor;
        x = this.norm2(x.add(this.mha(x, memory, o))) as Tensor;
        x = this.norm3(x.add(this.ff(x))) as Tensor;
      }
      return x;
    });
  }
}

/** A stack of numLayers deep copies of `decoderLayer`, then `norm` when given. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm: Module | null = null) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1)
      throw new Error(`TransformerDecoder: num_layers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.deepCopy()));
    this.numLayers = numLayers;
    this.norm = norm;
  }

  /** As TransformerDecoderLayer.forward: an options object or PyTorch's positional masks. */
  override forward(
    tgt: Tensor,
    memory: Tensor,
    options?: DecoderForwardOptions | Tensor | null,
    ...masks: (Tensor | null)[]
  ): Tensor {
    const o = forwardOptions<DecoderForwardOptions>(options, masks, DECODER_MASKS);
    return tidy(() => {
      let x = tgt;
      for (const layer of this.layers) x = layer(x, memory, o) as Tensor;
      return this.norm === null ? x : (this.norm(x) as Tensor);
    });
  }
}

export interface TransformerOptions extends TransformerEncoderLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  srcIsCausal?: boolean;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/**
 * nn.Transformer: an encoder (TransformerEncoder with a final LayerNorm) and a decoder
 * (TransformerDecoder with a final LayerNorm); PyTorch's defaults (dModel 512, nhead 8, 6 + 6
 * layers, dimFeedforward 2048, dropout 0.1) and its init (xavierUniform_ on every parameter with
 * more than one dim). State keys: encoder.layers.0..., encoder.norm..., decoder.layers.0..., decoder.norm....
 */
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, [
      ...LAYER_OPTIONS,
      'dModel',
      'nhead',
      'numEncoderLayers',
      'numDecoderLayers',
      'customEncoder',
      'customDecoder',
    ]);
    const dModel = options.dModel ?? 512;
    const nhead = options.nhead ?? 8;
    const eps = options.layerNormEps ?? 1e-5;
    const layerOptions: TransformerEncoderLayerOptions = {
      dimFeedforward: options.dimFeedforward ?? 2048,
      dropout: options.dropout ?? 0.1,
      activation: options.activation ?? 'relu',
      layerNormEps: eps,
      batchFirst: options.batchFirst ?? false,
      normFirst: options.normFirst ?? false,
      bias: options.bias ?? true,
      device: options.device,
    };
    const norm = (): LayerNorm => new LayerNorm(dModel, { eps, bias: layerOptions.bias, device: options.device });
    this.encoder =
      options.customEncoder ??
      new TransformerEncoder(
        new TransformerEncoderLayer(dModel, nhead, layerOptions),
        options.numEncoderLayers ?? 6,
        norm(),
      );
    this.decoder =
      options.customDecoder ??
      new TransformerDecoder(
        new TransformerDecoderLayer(dModel, nhead, layerOptions),
        options.numDecoderLayers ?? 6,
        norm(),
      );
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = layerOptions.batchFirst!;
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  /**
   * forward(src, tgt, { srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask,
   * memoryKeyPaddingMask, ... }) or PyTorch's positional order of those six masks.
   */
  override forward(
    src: Tensor,
    tgt: Tensor,
    opts?: TransformerForwardOptions | Tensor | null,
    ...masks: (Tensor | null)[]
  ): Tensor {
    const options = forwardOptions<TransformerForwardOptions>(opts, masks, [
      'srcMask',
      'tgtMask',
      'memoryMask',
      'srcKeyPaddingMask',
      'tgtKeyPaddingMask',
      'memoryKeyPaddingMask',
    ]);
    const batched = src.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    if (batched && src.shape[batchDim] !== tgt.shape[batchDim])
      throw new Error(
        `the batch number of src and tgt must be equal (src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new Error(
        `the feature number of src and tgt must be equal to d_model (${this.dModel}; src ${formatShape(src.shape)}, tgt ${formatShape(tgt.shape)})`,
      );
    return tidy(() => {
      const memory = this.encoder(src, {
        mask: options.srcMask ?? null,
        srcKeyPaddingMask: options.srcKeyPaddingMask ?? null,
        isCausal: options.srcIsCausal ?? false,
      }) as Tensor;
      return this.decoder(tgt, memory, {
        tgtMask: options.tgtMask ?? null,
        memoryMask: options.memoryMask ?? null,
        tgtKeyPaddingMask: options.tgtKeyPaddingMask ?? null,
        memoryKeyPaddingMask: options.memoryKeyPaddingMask ?? null,
        tgtIsCausal: options.tgtIsCausal ?? false,
        memoryIsCausal: options.memoryIsCausal ?? false,
      }) as Tensor;
    });
  }

  /** A float [sz, sz] mask: 0 on and below the diagonal, -inf above (the decoder's causal tgtMask). */
  static generateSquareSubsequentMask(sz: number, options: { device?: string } = {}): Tensor {
    if (!Number.isInteger(sz) || sz < 0)
      throw new Error(`generateSquareSubsequentMask: sz must be a non-negative integer, got ${sz}`);
    return causalMask(sz, sz, options.device);
  }
}
