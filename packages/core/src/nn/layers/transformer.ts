/** TransformerEncoderLayer (PyTorch's post-norm by default, or normFirst), from core ops. */
import type { Tensor } from '../../tensor/tensor.js';
import { tidy } from '../../tensor/scope.js';
import * as F from '../functional.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

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
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
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
    const act = options.activation ?? 'relu';
    if (act === 'relu') this.activation = F.relu;
    else if (act === 'gelu') this.activation = (x) => F.gelu(x);
    else if (typeof act === 'function') this.activation = act;
    else throw new Error(`activation should be relu/gelu, not ${String(act)}`);
  }

  private sa(x: Tensor, options: EncoderForwardOptions): Tensor {
    const [out] = this.self_attn.forward(x, x, x, {
      attnMask: options.srcMask ?? null,
      keyPaddingMask: options.srcKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: options.isCausal ?? false,
    });
    return this.dropout1(out) as Tensor;
  }

  private ff(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x) as Tensor)))) as Tensor;
  }

  override forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    return tidy(() => this.encode(src, options));
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
