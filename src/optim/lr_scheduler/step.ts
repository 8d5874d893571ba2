/**
 * Piecewise-constant and geometric schedules: StepLR, MultiStepLR, ConstantLR, ExponentialLR.
 * @module
 */
import type { Optimizer } from '../optimizer.js';
import { bisectRight, checkFinite, checkInteger, LRScheduler, type SchedulerOptions } from './scheduler.js';

/** Options of {@link StepLR} and {@link MultiStepLR}. */
export interface StepLROptions extends SchedulerOptions {
  /** Multiplicative factor of each decay (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the learning rate by γ every `stepSize` epochs, like `torch.optim.lr_scheduler.StepLR`:
 * η_t = η₀ · γ^⌊t / stepSize⌋.
 * @example
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 }); // 0.05 for t < 30, 0.005 for t < 60…
 */
export class StepLR extends LRScheduler {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor of each decay. */
  gamma: number;

  constructor(optimizer: Optimizer, stepSize: number, options: StepLROptions = {}) {
    super('StepLR', optimizer, options.lastEpoch);
    checkInteger('StepLR', 'stepSize', stepSize, 1);
    this.stepSize = stepSize;
    this.gamma = options.gamma ?? 0.1;
    checkFinite('StepLR', 'gamma', this.gamma);
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the learning rate by γ at each milestone epoch, like `MultiStepLR`:
 * η_t = η₀ · γ^(number of milestones ≤ t). A milestone listed twice decays twice.
 */
export class MultiStepLR extends LRScheduler {
  /** The milestone epochs, sorted (repeats kept). */
  milestones: number[];
  /** Multiplicative factor of each decay. */
  gamma: number;

  constructor(optimizer: Optimizer, milestones: readonly number[], options: StepLROptions = {}) {
    super('MultiStepLR', optimizer, options.lastEpoch);
    if (!Array.isArray(milestones)) throw new Error(`MultiStepLR: milestones must be an array of epochs, got ${typeof milestones}`);
    milestones.forEach((m, i) => checkInteger('MultiStepLR', `milestones[${i}]`, m, 0));
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    checkFinite('MultiStepLR', 'gamma', this.gamma);
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.groupLrs();
    if (count === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions extends SchedulerOptions {
  /** The factor applied until `totalIters` (default 1/3). */
  factor?: number;
  /** Epochs with the reduced rate (default 5). */
  totalIters?: number;
}

/** Multiplies the learning rate by `factor` for the first `totalIters` epochs, then restores it, like `ConstantLR`. */
export class ConstantLR extends LRScheduler {
  /** The factor applied until `totalIters`. */
  factor: number;
  /** Epochs with the reduced rate. */
  totalIters: number;

  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    super('ConstantLR', optimizer, options.lastEpoch);
    this.factor = options.factor ?? 1 / 3;
    this.totalIters = options.totalIters ?? 5;
    if (typeof this.factor !== 'number' || !(this.factor > 0 && this.factor <= 1)) {
      throw new Error(`ConstantLR: factor must be in (0, 1], got ${String(this.factor)}`);
    }
    checkInteger('ConstantLR', 'totalIters', this.totalIters, 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return lrs;
    return lrs.map((lr) => lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

/** Options of {@link ExponentialLR}. */
export type ExponentialLROptions = SchedulerOptions;

/** Multiplies the learning rate by γ every epoch, like `ExponentialLR`: η_t = η₀ · γᵗ. */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor per epoch. */
  gamma: number;

  constructor(optimizer: Optimizer, gamma: number, options: ExponentialLROptions = {}) {
    super('ExponentialLR', optimizer, options.lastEpoch);
    checkFinite('ExponentialLR', 'gamma', gamma);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
