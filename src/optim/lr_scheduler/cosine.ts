/**
 * CosineAnnealingLR: the learning rate follows half a cosine from its initial value to etaMin.
 * @module
 */
import type { Optimizer } from '../optimizer.js';
import { checkFinite, checkInteger, LRScheduler, type SchedulerOptions } from './scheduler.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing, like `CosineAnnealingLR` (the annealing part of SGDR, Loshchilov & Hutter):
 *
 *   η_t = η_min + ½(η₀ − η_min)(1 + cos(π t / T_max))
 *
 * reaching η_min at t = T_max and, past it, rising again (period 2·T_max). As in PyTorch, the rate
 * is computed recursively from the current one,
 *   η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max)),
 * with η_t = η_{t−1} + ½(η₀ − η_min)(1 − cos(π / T_max)) at t = (2k+1)·T_max + 1 (where the
 * ratio would be 0/0), so other changes to the rate compose with it; the values equal the
 * formula above when nothing else touches the rate.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the initial rate down to etaMin. */
  tMax: number;
  /** The lowest learning rate. */
  etaMin: number;

  constructor(optimizer: Optimizer, tMax: number, options: CosineAnnealingLROptions = {}) {
    super('CosineAnnealingLR', optimizer, options.lastEpoch);
    checkInteger('CosineAnnealingLR', 'tMax', tMax, 1);
    this.tMax = tMax;
    this.etaMin = options.etaMin ?? 0;
    checkFinite('CosineAnnealingLR', 'etaMin', this.etaMin);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if (this.stepCount === 1 && t > 0) {
      // Resuming at lastEpoch > 0: no previous rate to chain from.
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if ((t - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}
