/**
 * The learning-rate scheduler base class, like PyTorch's `_LRScheduler`: it sets each parameter
 * group's `lr` once per `step()` from the epoch count.
 * @module
 */
import { Optimizer } from '../optimizer.js';

/** Plain data, as scheduler state dicts hold (numbers may be ±Infinity). */
export type PlainData = number | string | boolean | null | PlainData[] | { [key: string]: PlainData };

/** A scheduler's state: its counters and settings (never the optimiser, never functions). */
export type SchedulerStateDict = { [key: string]: PlainData };

/** Options every epoch-driven scheduler takes. */
export interface SchedulerOptions {
  /**
   * The index of the last epoch when resuming (default −1: start fresh). Resuming needs each
   * group's `initialLr`, which the first scheduler of the original run set.
   */
  lastEpoch?: number;
}

/** Throws unless `optimizer` is an {@link Optimizer}. */
export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    const what = optimizer === null ? 'null' : typeof optimizer === 'object' ? (optimizer.constructor?.name ?? 'object') : typeof optimizer;
    throw new Error(`${name}: expected an Optimizer, got ${what}`);
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(name: string, what: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${name}: ${what} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Throws unless `value` is a finite number. */
export function checkFinite(name: string, what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name}: ${what} must be a finite number, got ${String(value)}`);
}

/** Python's `bisect_right`: how many entries of the sorted `xs` are ≤ `x`. */
export function bisectRight(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < xs[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function copyPlain<T>(v: T): T {
  return structuredClone(v);
}

function isSaved(v: unknown): boolean {
  if (typeof v === 'function' || v instanceof Optimizer) return false;
  if (Array.isArray(v)) return v.every(isSaved);
  return true;
}

/**
 * Base class of the epoch-driven schedulers. A subclass gives `getLr()`, the new learning rate of
 * each group from the current one (PyTorch's chainable form, so schedulers compose), and may give
 * `closedFormLr()`, the rate as a function of the epoch alone.
 *
 * Call `scheduler.step()` once per epoch after `optimizer.step()`. Construction performs the
 * first step (epoch 0), which sets the starting learning rate.
 *
 * A subclass constructor must set its own fields and then call `this.initialStep()`: JavaScript
 * runs a subclass's field setup only after the base constructor returns.
 */
export abstract class LRScheduler {
  /** The optimiser whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's learning rate at epoch 0 (its `initialLr`). */
  baseLrs: number[];
  /** The epoch of the last `step()` (0 after construction). */
  lastEpoch: number;
  /** Calls of `step()` so far, the construction's included. */
  stepCount = 0;
  /** The learning rates set by the last step. */
  lastLr: number[] = [];

  /**
   * @param name the scheduler, for error messages
   * @param optimizer the optimiser to drive
   * @param lastEpoch −1 to start, or the last epoch of the run being resumed
   */
  protected constructor(name: string, optimizer: Optimizer, lastEpoch = -1) {
    checkOptimizer(name, optimizer);
    checkInteger(name, 'lastEpoch', lastEpoch, -1);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new Error(`${name}: parameter group ${i} has no initialLr; resuming at lastEpoch ${lastEpoch} needs the optimiser state of the run being resumed (load it first)`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The new learning rate of each group at `lastEpoch`, from the groups' current rates. */
  protected abstract getLr(): number[];

  /** The learning rate of each group at `lastEpoch` from the base rates alone, where it has a closed form. */
  protected closedFormLr?(): number[];

  /** Resets the step count and performs the first step. Called by subclass constructors (and by SequentialLR). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Advances one epoch and sets every group's learning rate. Passing `epoch` jumps to that epoch
   * using the closed form where the schedule has one (PyTorch's deprecated `step(epoch)`;
   * SequentialLR uses it to restart a schedule at its milestone).
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The group learning rates (used by chainable `getLr`s). */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The scheduler's state as plain data: every field but the optimiser and functions (a LambdaLR's
   * lambdas are code, not state). Save it together with the optimiser's state dict.
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) if (isSaved(v)) out[k] = copyPlain(v as PlainData);
    return out;
  }

  /** Restores a state saved by {@link LRScheduler.stateDict}. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(stateDict)) {
      if (!(k in self) || !isSaved(self[k])) throw new Error(`${this.constructor.name}.loadStateDict: unexpected entry '${k}'`);
      self[k] = copyPlain(v);
    }
  }
}
