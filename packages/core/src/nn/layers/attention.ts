/** MultiheadAttention, as a composition of core ops. */
import { formatShape } from '../../backend/shape.js';
import { empty } from '../../tensor/create.js';
import { causalMask } from '../sdpa.js';
import { tidy } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/linear.js';
import { where } from '../../ops/elementwise.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { Linear } from './linear.js';
import { checkOptionKeys } from '../../options.js';

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  kdim?: number;
  vdim?: number;
  batchFirst?: boolean;
  device?: string;
}

export interface AttentionForwardOptions {
  /** [N, S]: true (or -inf when float) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: bool (true = not allowed) or float (added to the scores). */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

/** A float additive mask from a bool (true = masked) or float mask. */
function additiveMask(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? where(mask, -Infinity, 0) : mask.float();
}

/**
 * Multi-head attention (PyTorch's parameters: in_proj_weight [3E, E], in_proj_bias, out_proj, or
 * q/k/v_proj_weight when kdim/vdim differ from E). forward returns [output, weights | null].
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  out_proj: Linear;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, ['dropout', 'bias', 'kdim', 'vdim', 'batchFirst', 'device']);
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0) {
      throw new Error(
        `embed_dim and num_heads must be greater than 0, got embed_dim=${embedDim} and num_heads=${numHeads} instead`,
      );
    }
    if (embedDim % numHeads !== 0) throw new Error('embed_dim must be divisible by num_heads');
    this.embedDim = embedDim;
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    this.batchFirst = options.batchFirst ?? false;
    const dev = { device: options.device };
    const same = this.kdim === embedDim && this.vdim === embedDim;
    if (same) {
      this.registerParameter('in_proj_weight', Parameter.adopt(empty([3 * embedDim, embedDim], dev)));
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    } else {
      this.registerParameter('q_proj_weight', Parameter.adopt(empty([embedDim, embedDim], dev)));
      this.registerParameter('k_proj_weight', Parameter.adopt(empty([embedDim, this.kdim], dev)));
      this.registerParameter('v_proj_weight', Parameter.adopt(empty([embedDim, this.vdim], dev)));
      this.registerParameter('in_proj_weight', null);
    }
    this.registerParameter('in_proj_bias', options.bias === false ? null : Parameter.adopt(empty([3 * embedDim], dev)));
    this.out_proj = new Linear(embedDim, embedDim, { bias: options.bias !== false, device: options.device });
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.in_proj_weight !== null) init.xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) init.xavierUniform_(w!);
    if (this.in_proj_bias !== null) {
      init.zeros_(this.in_proj_bias);
      init.zeros_(this.out_proj.bias!);
    }
  }

  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: AttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    return tidy(() => this.attend(query, key, value, options));
  }

  private attend(query: Tensor, key: Tensor, value: Tensor, options: AttentionForwardOptions): [Tensor, Tensor | null] {
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;
    const unbatched = query.ndim === 2;
    if (query.ndim !== 2 && query.ndim !== 3)
      throw new Error(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new Error(
        `For ${unbatched ? 'unbatched (2-D)' : 'batched (3-D)'} \`query\`, expected \`key\` and \`value\` to be ${query.ndim}-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`,
      );
    }
    // To time-major [L, N, E].
    const tm = (t: Tensor): Tensor => (unbatched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    const q0 = tm(query);
    const k0 = tm(key);
    const v0 = tm(value);
    const [L, N, E] = q0.shape as [number, number, number];
    const S = k0.shape[0]!;
    if (E !== this.embedDim) throw new Error(`was expecting embedding dimension of ${this.embedDim}, but got ${E}`);
    if (k0.shape[0] !== v0.shape[0] || k0.shape[1] !== v0.shape[1]) {
      throw new Error(`key shape ${formatShape(key.shape)} does not match value shape ${formatShape(value.shape)}`);
    }
    const H = this.numHeads;
    const hd = this.headDim;
    const b = this.in_proj_bias;
    const bq = b === null ? null : b.narrow(0, 0, E);
    const bk = b === null ? null : b.narrow(0, E, E);
    const bv = b === null ? null : b.narrow(0, 2 * E, E);
    const wq = this.in_proj_weight !== null ? this.in_proj_weight.narrow(0, 0, E) : this.q_proj_weight!;
    const wk = this.in_proj_weight !== null ? this.in_proj_weight.narrow(0, E, E) : this.k_proj_weight!;
    const wv = this.in_proj_weight !== null ? this.in_proj_weight.narrow(0, 2 * E, E) : this.v_proj_weight!;
    // [L, N, E] -> [N * H, L, hd]
    const heads = (t: Tensor, len: number): Tensor => t.reshape([len, N * H, hd]).transpose(0, 1);
    const q = heads(linear(q0, wq, bq), L).mul(1 / Math.sqrt(hd));
    const k = heads(linear(k0, wk, bk), S);
    const v = heads(linear(v0, wv, bv), S);
    let scores = q.matmul(k.transpose(1, 2)); // [N*H, L, S]
    let mask: Tensor | null = options.attnMask ?? null;
    if (mask === null && options.isCausal) {
      mask = causalMask(L, S, query.device);
    }
    if (mask !== null) {
      const ok =
        (mask.ndim === 2 && mask.shape[0] === L && mask.shape[1] === S) ||
        (mask.ndim === 3 && mask.shape[0] === N * H && mask.shape[1] === L && mask.shape[2] === S);
      if (!ok)
        throw new Error(
          `The shape of attn_mask should be [${L}, ${S}] or [${N * H}, ${L}, ${S}], but got ${formatShape(mask.shape)}`,
        );
      scores = scores.add(additiveMask(mask));
    }
    const kpm = options.keyPaddingMask ?? null;
    if (kpm !== null) {
      const expected = unbatched ? [S] : [N, S];
      if (kpm.ndim !== expected.length || kpm.shape.some((d, i) => d !== expected[i])) {
        throw new Error(
          `expecting key_padding_mask shape of ${formatShape(expected)}, but got ${formatShape(kpm.shape)}`,
        );
      }
      const add = additiveMask(kpm)
        .reshape([N, 1, 1, S])
        .expand([N, H, 1, S])
        .reshape([N * H, 1, S]);
      scores = scores.add(add);
    }
    let attn = scores.softmax(-1);
    if (this.dropout > 0 && this.training) attn = F.dropout(attn, this.dropout, true);
    const ctx = attn.matmul(v).transpose(0, 1).reshape([L, N, E]); // [L, N, E]
    let out = this.out_proj(ctx) as Tensor;
    if (unbatched) out = out.squeeze(1);
    else if (this.batchFirst) out = out.transpose(0, 1);
    if (!needWeights) return [out, null];
    let weights = attn.reshape([N, H, L, S]);
    if (average) weights = weights.mean(1);
    if (unbatched) weights = weights.squeeze(0);
    return [out, weights];
  }
}

export { causalMask };
