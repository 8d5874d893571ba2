/**
 * ReduceLROnPlateau: lowers the learning rate when a monitored metric stops improving.
 * @module
 */
import { Tensor } from '../../core/tensor.js';
import type { Optimizer } from '../optimizer.js';
import { checkInteger, checkOptimizer, type SchedulerStateDict } from './scheduler.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** new lr = lr · factor, factor < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate, for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces each group's learning rate by `factor` once the metric passed to `step(metric)` has not
 * improved for more than `patience` epochs, like `torch.optim.lr_scheduler.ReduceLROnPlateau`.
 * An epoch improves on the best so far when (mode 'min') metric < best·(1 − threshold) in 'rel'
 * mode or metric < best − threshold in 'abs' mode (mirrored for 'max').
 * @example
 * const sched = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
 * for (…) { train(); sched.step(validationLoss); }
 */
export class ReduceLROnPlateau {
  /** The optimiser whose learning rates this lowers. */
  readonly optimizer: Optimizer;
  /** Whether the metric should fall or rise. */
  mode: 'min' | 'max';
  /** Multiplier of each reduction. */
  factor: number;
  /** Bad epochs tolerated. */
  patience: number;
  /** Minimal improvement. */
  threshold: number;
  /** Relative or absolute threshold. */
  thresholdMode: 'rel' | 'abs';
  /** Epochs of rest after a reduction. */
  cooldown: number;
  /** Epochs of rest left. */
  cooldownCounter = 0;
  /** Lower bound per group. */
  minLrs: number[];
  /** Smallest reduction applied. */
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs stepped. */
  lastEpoch = 0;
  /** The learning rates after the last step. */
  lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptimizer('ReduceLROnPlateau', optimizer);
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    if (typeof this.factor !== 'number' || !(this.factor < 1) || !(this.factor >= 0)) {
      throw new Error(`ReduceLROnPlateau: factor must be in [0, 1), got ${String(this.factor)}`);
    }
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(this.thresholdMode)}'`);
    }
    checkInteger('ReduceLROnPlateau', 'patience', this.patience, 0);
    checkInteger('ReduceLROnPlateau', 'cooldown', this.cooldown, 0);
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new Error(`ReduceLROnPlateau: expected ${n} minLr values (one per parameter group), got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else {
      this.minLrs = Array.from({ length: n }, () => minLr as number);
    }
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** True while resting after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the rates if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number') throw new Error(`ReduceLROnPlateau.step: metric must be a number or a one-element Tensor, got ${typeof current}`);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown don't count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The learning rate of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Plain-data state (`best` may be ±Infinity; `splitStateDict` encodes it for JSON). */
  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode, factor: this.factor, patience: this.patience, threshold: this.threshold,
      thresholdMode: this.thresholdMode, cooldown: this.cooldown, cooldownCounter: this.cooldownCounter,
      minLrs: [...this.minLrs], eps: this.eps, best: this.best, numBadEpochs: this.numBadEpochs,
      lastEpoch: this.lastEpoch, lastLr: [...this.lastLr],
    };
  }

  /** Restores a state saved by {@link ReduceLROnPlateau.stateDict}. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(stateDict)) {
      if (!(k in self) || typeof self[k] === 'function' || k === 'optimizer') throw new Error(`ReduceLROnPlateau.loadStateDict: unexpected entry '${k}'`);
      self[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}
