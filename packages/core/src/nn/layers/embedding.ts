/** Embedding (a lookup table of numEmbeddings vectors of size embeddingDim) and EmbeddingBag. */
import { noGrad } from '../../autograd/grad-mode.js';
import { empty, fromArray } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { checkOptionKeys } from '../../options.js';

export interface EmbeddingOptions {
  /** This row is zero-initialized and receives no gradient. */
  paddingIdx?: number | null;
  device?: string;
}

/** weight ~ N(0, 1) (PyTorch's default), padding row zeroed. Input: int32 indices of any shape. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    // maxNorm, scaleGradByFreq and sparse (PyTorch's) are not implemented: an error, not ignored
    checkOptionKeys(this.constructor.name, options, ['paddingIdx', 'device']);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let p = options.paddingIdx ?? null;
    if (p !== null) {
      if (!(Number.isInteger(p) && p < numEmbeddings && p >= -numEmbeddings))
        throw new Error(`Padding_idx must be within num_embeddings (got ${p} for ${numEmbeddings} embeddings)`);
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    this.weight = Parameter.adopt(empty([numEmbeddings, embeddingDim], { device: options.device }));
    this.resetParameters();
  }

  /** An Embedding holding `embeddings` (frozen unless freeze is false). */
  static fromPretrained(embeddings: Tensor, options: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new Error('Embeddings parameter is expected to be 2-dimensional');
    const e = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, {
      paddingIdx: options.paddingIdx ?? null,
      device: embeddings.device,
    });
    noGrad(() => e.weight.copy_(embeddings));
    e.weight.requiresGrad_(!(options.freeze ?? true));
    return e;
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const keepRows = new Float32Array(this.numEmbeddings).fill(1);
      keepRows[this.paddingIdx] = 0;
      noGrad(() => {
        const mask = fromArray(keepRows, [this.numEmbeddings, 1], { device: this.weight.device });
        this.weight.mul_(mask);
        mask.dispose();
      });
    }
  }

  override forward(indices: Tensor): Tensor {
    return F.embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}

export interface EmbeddingBagOptions {
  /** How a bag's embeddings combine: 'mean' (the default), 'sum' or 'max'. */
  mode?: 'sum' | 'mean' | 'max';
  /** This row is zero-initialized, receives no gradient and is left out of its bags. */
  paddingIdx?: number | null;
  /** offsets has one more entry, the end of the last bag. */
  includeLastOffset?: boolean;
  device?: string;
}

/**
 * EmbeddingBag: sums, means or maxima of bags of embeddings. forward(input, offsets?,
 * perSampleWeights?) with input [B, L] (each row a bag) or 1-D indices with offsets (int32).
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly mode: 'sum' | 'mean' | 'max';
  readonly paddingIdx: number | null;
  readonly includeLastOffset: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.mode = options.mode ?? 'mean';
    if (this.mode !== 'sum' && this.mode !== 'mean' && this.mode !== 'max')
      throw new Error(`mode has to be one of sum, mean or max (got '${String(this.mode)}')`);
    let p = options.paddingIdx ?? null;
    if (p !== null) {
      if (!(Number.isInteger(p) && p < numEmbeddings && p >= -numEmbeddings))
        throw new Error(`padding_idx must be within num_embeddings (got ${p} for ${numEmbeddings} embeddings)`);
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    this.includeLastOffset = options.includeLastOffset ?? false;
    this.weight = Parameter.adopt(empty([numEmbeddings, embeddingDim], { device: options.device }));
    this.resetParameters();
  }

  /** An EmbeddingBag holding `embeddings` (frozen unless freeze is false). */
  static fromPretrained(
    embeddings: Tensor,
    options: { freeze?: boolean } & Omit<EmbeddingBagOptions, 'device'> = {},
  ): EmbeddingBag {
    if (embeddings.ndim !== 2) throw new Error('Embeddings parameter is expected to be 2-dimensional');
    const bag = new EmbeddingBag(embeddings.shape[0]!, embeddings.shape[1]!, { ...options, device: embeddings.device });
    noGrad(() => bag.weight.copy_(embeddings));
    bag.weight.requiresGrad_(!(options.freeze ?? true));
    return bag;
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const keepRows = new Float32Array(this.numEmbeddings).fill(1);
      keepRows[this.paddingIdx] = 0;
      noGrad(() => {
        const mask = fromArray(keepRows, [this.numEmbeddings, 1], { device: this.weight.device });
        this.weight.mul_(mask);
        mask.dispose();
      });
    }
  }

  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return F.embeddingBag(input, this.weight, {
      offsets,
      perSampleWeights,
      mode: this.mode,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode=${this.mode}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
