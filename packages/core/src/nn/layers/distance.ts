/** CosineSimilarity and PairwiseDistance (modules over F.cosineSimilarity / F.pairwiseDistance; no extra repr, as PyTorch). */
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import { Module } from '../module.js';

/** Cosine similarity of x1 and x2 along `dim` (default 1), norms clamped below by eps (1e-8). */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(options: { dim?: number; eps?: number } = {}) {
    super();
    this.dim = options.dim ?? 1;
    this.eps = options.eps ?? 1e-8;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}

/** The p-norm (default 2) of x1 - x2 + eps along the last dim. */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(options: { p?: number; eps?: number; keepdim?: boolean } = {}) {
    super();
    this.norm = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.keepdim = options.keepdim ?? false;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}
