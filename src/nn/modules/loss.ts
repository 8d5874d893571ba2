/**
 * Loss modules: each holds its options and calls the functional loss of the same name
 * ({@link crossEntropy} and friends), naming itself in errors. Class weights are buffers,
 * as in PyTorch (state-dict keys `weight`, `pos_weight`).
 * @module
 */
import type { Tensor } from '../../core/tensor.js';
import {
  checkReduction, binaryCrossEntropy, binaryCrossEntropyWithLogits, cosineEmbeddingLoss, crossEntropy, l1Loss, mseLoss,
  nllLoss, tripletMarginLoss,
  type BCELossOptions, type BCEWithLogitsOptions, type CosineEmbeddingOptions, type CrossEntropyOptions, type NLLLossOptions,
  type Reduction, type ReductionOptions, type TripletMarginOptions,
} from '../functional/loss.js';
import { Module } from '../module.js';

/** Base of losses of (input, target): validates and keeps `reduction`. */
abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;

  constructor(options: ReductionOptions) {
    super();
    this.reduction = checkReduction(this.constructor.name, options.reduction);
  }

  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction=${this.reduction}`;
  }
}

/** Mean squared error (x − y)². See {@link mseLoss}. */
export class MSELoss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction }, 'MSELoss');
  }
}

/** Mean absolute error |x − y|. See {@link l1Loss}. */
export class L1Loss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction }, 'L1Loss');
  }
}

/** Negative log-likelihood of class indices, for log-probabilities. See {@link nllLoss}. */
export class NLLLoss extends Loss {
  /** Target value that is ignored and contributes neither to the loss nor to the gradient (default −100). */
  readonly ignoreIndex: number;
  /** The class weights (a buffer), or null. */
  declare readonly weight: Tensor | null;

  constructor(options: NLLLossOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.registerBuffer('weight', options.weight ?? null);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.getBuffer('weight'), ignoreIndex: this.ignoreIndex, reduction: this.reduction }, 'NLLLoss');
  }
}

/**
 * Cross-entropy from logits (log-softmax + NLL) with class weights, ignoreIndex and label
 * smoothing; targets are int32 class indices or class probabilities. See {@link crossEntropy}.
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels)
 */
export class CrossEntropyLoss extends Loss {
  /** Target class index that is ignored and contributes neither to the loss nor to the gradient (default −100). */
  readonly ignoreIndex: number;
  /** Smoothing ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C (default 0). */
  readonly labelSmoothing: number;
  /** The class weights (a buffer), or null. */
  declare readonly weight: Tensor | null;

  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) throw new Error(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
    this.registerBuffer('weight', options.weight ?? null);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.getBuffer('weight'), ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    }, 'CrossEntropyLoss');
  }
}

/** Binary cross-entropy of probabilities (logs clamped at −100). See {@link binaryCrossEntropy}. */
export class BCELoss extends Loss {
  /** Per-element weights (a buffer), or null. */
  declare readonly weight: Tensor | null;

  constructor(options: BCELossOptions = {}) {
    super(options);
    this.registerBuffer('weight', options.weight ?? null);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.getBuffer('weight'), reduction: this.reduction }, 'BCELoss');
  }
}

/** Binary cross-entropy on logits, numerically stable, with `posWeight`. See {@link binaryCrossEntropyWithLogits}. */
export class BCEWithLogitsLoss extends Loss {
  /** Per-element weights (a buffer), or null. */
  declare readonly weight: Tensor | null;

  constructor(options: BCEWithLogitsOptions = {}) {
    super(options);
    this.registerBuffer('weight', options.weight ?? null);
    this.registerBuffer('pos_weight', options.posWeight ?? null);
  }

  /** Weight of positive examples per class (state-dict key `pos_weight`), or null. */
  get posWeight(): Tensor | null {
    return this.getBuffer('pos_weight');
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.getBuffer('weight'), posWeight: this.posWeight, reduction: this.reduction,
    }, 'BCEWithLogitsLoss');
  }
}

/**
 * FaceNet's triplet loss max(d(a, p) − d(a, n) + α, 0), α = `margin` (default 1), p-norm distance
 * (default p = 2, eps 1e-6), optional distance swap. See {@link tripletMarginLoss}.
 */
export class TripletMarginLoss extends Module<[Tensor, Tensor, Tensor], Tensor> {
  /** Margin α (default 1). */
  readonly margin: number;
  /** Degree of the norm of the pairwise distance (default 2). */
  readonly p: number;
  /** Small constant for the numerical stability of the distance (default 1e-6). */
  readonly eps: number;
  /** Use the distance swap (Balntas et al.): d(a, n) becomes min(d(a, n), d(p, n)) (default false). */
  readonly swap: boolean;
  /** `'none'`, `'mean'` (default) or `'sum'` over the batch. */
  readonly reduction: Reduction;

  constructor(options: TripletMarginOptions = {}) {
    super();
    this.margin = options.margin ?? 1;
    this.p = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.swap = options.swap ?? false;
    this.reduction = checkReduction('TripletMarginLoss', options.reduction);
  }

  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction,
    }, 'TripletMarginLoss');
  }

  override extraRepr(): string {
    return `margin=${this.margin}, p=${this.p}, eps=${this.eps}, swap=${this.swap}, reduction=${this.reduction}`;
  }
}

/** 1 − cos for similar pairs (y = 1), max(0, cos − margin) for dissimilar ones (y = −1). See {@link cosineEmbeddingLoss}. */
export class CosineEmbeddingLoss extends Module<[Tensor, Tensor, Tensor], Tensor> {
  /** Margin for dissimilar pairs, in [−1, 1] (default 0). */
  readonly margin: number;
  /** `'none'`, `'mean'` (default) or `'sum'` over the batch. */
  readonly reduction: Reduction;

  constructor(options: CosineEmbeddingOptions = {}) {
    super();
    this.margin = options.margin ?? 0;
    this.reduction = checkReduction('CosineEmbeddingLoss', options.reduction);
  }

  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction }, 'CosineEmbeddingLoss');
  }

  override extraRepr(): string {
    return `margin=${this.margin}, reduction=${this.reduction}`;
  }
}
