/**
 * Batch normalisation layers: `BatchNorm1d` ([N, C] or [N, C, L]) and `BatchNorm2d` ([N, C, H, W]).
 *
 * State-dict keys are PyTorch's, so weights move both ways: `weight` (γ), `bias` (β),
 * `running_mean`, `running_var`, `num_batches_tracked` (int32 here, int64 in PyTorch). In
 * TypeScript the buffers read as `runningMean`, `runningVar` and `numBatchesTracked`.
 * @module
 */
import { ones, tensor, zeros } from '../../core/creation.js';
import { noGrad } from '../../core/grad_mode.js';
import { fmtShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { checkTensor } from '../../ops/helpers.js';
import { add_, fill_ } from '../../ops/inplace.js';
import { batchNorm } from '../functional/normalization.js';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** A number as Python prints it in a repr (`1e-05`, not `0.00001`). */
function pyFloat(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : String(v);
}

/** Options of the BatchNorm layers (PyTorch's defaults). */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn γ and β (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

/**
 * What BatchNorm1d and BatchNorm2d share (PyTorch's `_BatchNorm`). Training normalises with the
 * batch's mean and biased variance per channel and updates the running statistics (unbiased
 * variance); evaluation normalises with the running statistics. γ = 1, β = 0 initially.
 */
export abstract class BatchNorm extends Module {
  /** Number of channels C (PyTorch's `num_features`). */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  readonly eps: number;
  /** Weight of each new batch in the running averages, `running = (1 − momentum)·running + momentum·batch` (default 0.1); null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether γ (`weight`) and β (`bias`) are learned (default true). */
  readonly affine: boolean;
  /** Whether running statistics are kept for evaluation (default true); without them eval uses batch statistics. */
  readonly trackRunningStats: boolean;
  /** Learnable scale γ [C], initially 1; null without `affine`. */
  weight: Parameter | null;
  /** Learnable shift β [C], initially 0; null without `affine`. */
  bias: Parameter | null;

  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    if (!(this.eps > 0)) throw new Error(`${this.constructor.name}: eps must be positive, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`${this.constructor.name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    }
    this.weight = this.affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = this.affine ? new Parameter(zeros(numFeatures)) : null;
    if (!this.affine) {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros(numFeatures) : null);
    this.registerBuffer('running_var', track ? ones(numFeatures) : null);
    this.registerBuffer('num_batches_tracked', track ? tensor(0, { dtype: 'int32' }) : null);
  }

  /** Running mean per channel (state-dict key `running_mean`), or null without tracking. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean');
  }

  /** Running (unbiased) variance per channel (key `running_var`), or null without tracking. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var');
  }

  /** Training batches seen (key `num_batches_tracked`, a 0-d int32 tensor), or null without tracking. */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked');
  }

  /** Running mean 0, running variance 1, no batches seen. */
  resetRunningStats(): void {
    noGrad(() => {
      if (this.runningMean) fill_(this.runningMean, 0);
      if (this.runningVar) fill_(this.runningVar, 1);
      if (this.numBatchesTracked) fill_(this.numBatchesTracked, 0);
    });
  }

  /** Resets the running statistics and sets γ = 1, β = 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Throws unless `x` has the dims this layer normalises. */
  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    checkTensor(op, 'input', x);
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`${op}: input ${fmtShape(x.shape)} has ${x.shape[1]} channels (dim 1), expected ${this.numFeatures}`);
    }
    let factor = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && nbt) {
      noGrad(() => add_(nbt, 1));
      // momentum null: a cumulative moving average, each batch weighted 1/count.
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps,
    }, op);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation over [N, C] (features) or [N, C, L] (sequences): statistics per channel C
 * over N (and L). See {@link BatchNorm}.
 * @example const bn = new nn.BatchNorm1d(16); bn.call(randn(32, 16));
 */
export class BatchNorm1d extends BatchNorm {
  protected override checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`BatchNorm1d: expected a 2D or 3D input ([N, C] or [N, C, L]), got ${fmtShape(x.shape)}`);
  }
}

/** Batch normalisation over [N, C, H, W]: statistics per channel over N, H and W. See {@link BatchNorm}. */
export class BatchNorm2d extends BatchNorm {
  protected override checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected a 4D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  }
}
