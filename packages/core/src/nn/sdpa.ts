/**
 * scaledDotProductAttention (nn.functional) and the causal mask MultiheadAttention and the
 * Transformer use. A module of its own (imports only ops), so functional.ts can re-export it.
 */
import { formatShape } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { bernoulli, fromArray } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { where } from '../ops/elementwise.js';

/** An additive causal mask [L, S]: -inf above the diagonal (PyTorch's generate_square_subsequent_mask). */
export function causalMask(L: number, S: number = L, device?: string): Tensor {
  const data = new Float32Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) data[i * S + j] = -Infinity;
  return fromArray(data, [L, S], { device });
}

export interface ScaledDotProductAttentionOptions {
  /** [..., L, S], broadcast to the scores: bool (true = may attend, as PyTorch's SDPA) or float (added). */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights; applied whenever > 0 (PyTorch's SDPA has no training flag). */
  dropoutP?: number;
  /** A lower-triangular mask (query i sees keys 0..i); not together with attnMask. */
  isCausal?: boolean;
  /** Multiplies the scores; default 1 / sqrt(E). */
  scale?: number | null;
}

/**
 * torch.nn.functional.scaled_dot_product_attention: softmax(q k^T * scale + mask) v for query
 * [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev]. Note the bool mask's meaning
 * is the opposite of MultiheadAttention's (here true = take part), as in PyTorch.
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  options: ScaledDotProductAttentionOptions = {},
): Tensor {
  return tidy(() => {
    if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) {
      throw new Error(
        `scaled_dot_product_attention: expected query, key and value of at least 2 dims, got ${formatShape(query.shape)}, ${formatShape(key.shape)} and ${formatShape(value.shape)}`,
      );
    }
    const E = query.shape[query.ndim - 1]!;
    const L = query.shape[query.ndim - 2]!;
    const S = key.shape[key.ndim - 2]!;
    if (key.shape[key.ndim - 1] !== E || value.shape[value.ndim - 2] !== S) {
      throw new Error(
        `scaled_dot_product_attention: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} do not fit ([..., L, E], [..., S, E], [..., S, Ev])`,
      );
    }
    const mask = options.attnMask ?? null;
    if (options.isCausal && mask !== null)
      throw new Error('scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    const p = options.dropoutP ?? 0;
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    const scale = options.scale ?? 1 / Math.sqrt(E);
    let scores = query.matmul(key.transpose(-2, -1)).mul(scale);
    if (options.isCausal) scores = scores.add(causalMask(L, S, query.device));
    else if (mask !== null) scores = scores.add(mask.dtype === 'bool' ? where(mask, 0, -Infinity) : mask.float());
    let attn = scores.softmax(-1);
    if (p > 0) attn = dropoutWeights(attn, p);
    return attn.matmul(value);
  });
}

/** Dropout on the attention weights (F.dropout's seeded host mask, scaled by 1/(1-p)). */
function dropoutWeights(attn: Tensor, p: number): Tensor {
  if (p === 1) return attn.mul(0);
  const mask = noGrad(() => bernoulli(attn.shape, 1 - p, { device: attn.device }).mul(1 / (1 - p)));
  return attn.mul(mask);
}
