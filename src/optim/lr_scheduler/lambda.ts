/**
 * Schedules given by a function of the epoch: LambdaLR, MultiplicativeLR, and the inverse-time
 * decay η_t = η₀ / (1 + k·t).
 * @module
 */
import type { Optimizer } from '../optimizer.js';
import { checkFinite, LRScheduler, type SchedulerOptions } from './scheduler.js';

/** A multiplicative factor as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

function lambdasFor(name: string, optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (typeof lrLambda === 'function') return Array.from({ length: n }, () => lrLambda);
  if (!Array.isArray(lrLambda) || lrLambda.length !== n || lrLambda.some((f) => typeof f !== 'function')) {
    throw new Error(`${name}: expected a function or ${n} functions (one per parameter group), got ${Array.isArray(lrLambda) ? `${lrLambda.length} entries` : typeof lrLambda}`);
  }
  return [...lrLambda];
}

/**
 * Sets each group's learning rate to its initial rate times `lrLambda(epoch)`, like `LambdaLR`:
 * η_t = η₀ · λ(t). Give one function, or one per parameter group. The functions are not part of
 * the state dict: rebuild the scheduler with the same functions before loading.
 * @example
 * new optim.lrScheduler.LambdaLR(opt, optim.lrScheduler.inverseTimeDecay(0.1));
 */
export class LambdaLR extends LRScheduler {
  /** The factor function of each group. */
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    super('LambdaLR', optimizer, options.lastEpoch);
    this.lrLambdas = lambdasFor('LambdaLR', optimizer, lrLambda);
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * Multiplies each group's learning rate by `lrLambda(epoch)` every epoch after the first, like
 * `MultiplicativeLR`: η_t = η_{t−1} · λ(t).
 */
export class MultiplicativeLR extends LRScheduler {
  /** The factor function of each group. */
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options: SchedulerOptions = {}) {
    super('MultiplicativeLR', optimizer, options.lastEpoch);
    this.lrLambdas = lambdasFor('MultiplicativeLR', optimizer, lrLambda);
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch > 0 ? lrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch)) : lrs;
  }
}

/**
 * The inverse-time decay factor t ↦ 1 / (1 + k·t), for {@link LambdaLR}.
 *
 * With it, η_t = η₀ / (1 + k·t) satisfies the Robbins–Monro conditions under which SGD converges
 * on convex problems: Σ η_t = ∞ (the harmonic series diverges, so the iterates can travel any
 * distance) and Σ η_t² < ∞ (the noise the steps inject stays bounded). Constant and exponentially
 * decaying rates each fail one of the two.
 */
export function inverseTimeDecay(decayRate: number): LrLambda {
  if (typeof decayRate !== 'number' || !(decayRate >= 0)) throw new Error(`inverseTimeDecay: decayRate must be a number >= 0, got ${String(decayRate)}`);
  return (epoch) => 1 / (1 + decayRate * epoch);
}

/**
 * Inverse-time decay, η_t = η₀ / (1 + k·t) with k = `decayRate`: a {@link LambdaLR} with
 * {@link inverseTimeDecay}. The classic schedule for SGD's convergence (Σ η = ∞, Σ η² < ∞).
 */
export class InverseTimeLR extends LambdaLR {
  /** k in η₀ / (1 + k·t). */
  decayRate: number;

  constructor(optimizer: Optimizer, decayRate: number, options: SchedulerOptions = {}) {
    checkFinite('InverseTimeLR', 'decayRate', decayRate);
    if (decayRate < 0) throw new Error(`InverseTimeLR: decayRate must be >= 0, got ${decayRate}`);
    super(optimizer, inverseTimeDecay(decayRate), options);
    this.decayRate = decayRate;
  }
}
