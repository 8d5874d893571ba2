/**
 * `Embedding`: a learnable lookup table of vectors, indexed by integers.
 * @module
 */
import { zeros } from '../../core/creation.js';
import { noGrad } from '../../core/grad_mode.js';
import type { Tensor } from '../../core/tensor.js';
import { fill_ } from '../../ops/inplace.js';
import { select } from '../../ops/view.js';
import { checkEmbeddingInput, embedding, normalizePaddingIdx } from '../functional/embedding.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** This index maps to a row that starts at zero and never receives a gradient (e.g. padding tokens). */
  paddingIdx?: number | null;
}

/**
 * Row i of weight [numEmbeddings, embeddingDim] is the vector of index i: int32 indices of any
 * shape [...] → [..., embeddingDim]. Init: N(0, 1), the padding row (if any) zero.
 * @example const emb = new nn.Embedding(10, 3, { paddingIdx: 0 }); emb.call(tensor([[1, 0]], { dtype: 'int32' }))
 */
export class Embedding extends Module {
  /** Size of the table: number of rows of `weight`, i.e. of valid indices. */
  readonly numEmbeddings: number;
  /** Length of each embedding vector. */
  readonly embeddingDim: number;
  /** Index (made non-negative) whose row starts at zero and gets no gradient, or null. */
  readonly paddingIdx: number | null;
  /** Learnable table [numEmbeddings, embeddingDim], initially N(0, 1). */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
    this.paddingIdx = normalizePaddingIdx('Embedding', options.paddingIdx ?? null, numEmbeddings);
    this.resetParameters();
  }

  /** Redraws the weight from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    normal_(this.weight);
    const pad = this.paddingIdx;
    if (pad !== null) noGrad(() => fill_(select(this.weight, 0, pad), 0));
  }

  override forward(input: Tensor): Tensor {
    checkEmbeddingInput('Embedding', input, this.weight, this.paddingIdx);
    return embedding(input, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
