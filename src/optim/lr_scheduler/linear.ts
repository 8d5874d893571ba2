/**
 * LinearLR: a linear ramp of the learning-rate factor, for warm-up or linear decay.
 * @module
 */
import type { Optimizer } from '../optimizer.js';
import { checkInteger, LRScheduler, type SchedulerOptions } from './scheduler.js';

/** Options of {@link LinearLR}. */
export interface LinearLROptions extends SchedulerOptions {
  /** Factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs the ramp lasts (default 5). */
  totalIters?: number;
}

/**
 * Moves the learning-rate factor linearly from `startFactor` to `endFactor` over `totalIters`
 * epochs, then holds it, like `LinearLR`:
 * η_t = η₀ · (s + (e − s) · min(t, T) / T). With s < e = 1 it is the usual linear warm-up.
 * @example
 * new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }); // warm up over 5 epochs
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  startFactor: number;
  /** Factor from `totalIters` on. */
  endFactor: number;
  /** Epochs the ramp lasts. */
  totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer, options.lastEpoch);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    // A start factor of 0 would divide by zero in the chainable form.
    if (typeof this.startFactor !== 'number' || !(this.startFactor > 0 && this.startFactor <= 1)) {
      throw new Error(`LinearLR: startFactor must be in (0, 1], got ${String(this.startFactor)}`);
    }
    if (typeof this.endFactor !== 'number' || !(this.endFactor >= 0 && this.endFactor <= 1)) {
      throw new Error(`LinearLR: endFactor must be in [0, 1], got ${String(this.endFactor)}`);
    }
    checkInteger('LinearLR', 'totalIters', this.totalIters, 1);
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    if (t === 0) return lrs.map((lr) => lr * s);
    if (t > T) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (T * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(T, t)) / T));
  }
}
