/**
 * Adapters for fixtures/ops-transformer.json (generate_modules_transformer.py):
 * F.scaled_dot_product_attention, its optional 4th input being attn_mask (bool or float).
 */
import type { OpAdapter } from './adapters.js';

export const TRANSFORMER_ADAPTERS: Record<string, OpAdapter> = {
  'F.scaled_dot_product_attention': (c, [q, k, v, mask], a) =>
    c.F('scaledDotProductAttention')(q, k, v, {
      attnMask: mask ?? null,
      isCausal: a.is_causal ?? false,
      scale: a.scale ?? null,
      dropoutP: a.dropout_p ?? 0,
    }),
};
