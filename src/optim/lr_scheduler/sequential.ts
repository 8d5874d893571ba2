/**
 * SequentialLR: hands the learning rate from one schedule to the next at milestone epochs.
 * @module
 */
import type { Optimizer } from '../optimizer.js';
import { bisectRight, checkInteger, checkOptimizer, LRScheduler, type SchedulerStateDict } from './scheduler.js';

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted at its epoch 0)
 * until `milestones[1]`, and so on, like `SequentialLR`. The usual use is a warm-up followed by
 * a decay.
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, 95);
 * const sched = new SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR {
  /** The optimiser all the schedulers drive. */
  readonly optimizer: Optimizer;
  /** The schedules, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next schedule takes over. */
  milestones: number[];
  /** Epochs stepped so far (0 after construction). */
  lastEpoch: number;
  /** The learning rates set by the last step. */
  lastLr: number[];

  /**
   * @param optimizer the optimiser every scheduler was built on
   * @param schedulers the schedules, one more than the milestones
   * @param milestones increasing epochs at which to switch
   * @param lastEpoch −1 to start
   */
  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[], lastEpoch = -1) {
    checkOptimizer('SequentialLR', optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error('SequentialLR: expected a non-empty array of schedulers');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new Error(`SequentialLR: schedulers[${i}] is not an epoch-driven LRScheduler`);
      if (s.optimizer !== optimizer) {
        throw new Error(`SequentialLR: schedulers[${i}] drives a different optimiser than the one passed in`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : typeof milestones}`);
    }
    milestones.forEach((m, i) => {
      checkInteger('SequentialLR', `milestones[${i}]`, m, 1);
      if (i > 0 && m <= milestones[i - 1]) throw new Error(`SequentialLR: milestones must increase, got [${milestones.join(', ')}]`);
    });
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    // Undo the first step each scheduler took when it was built, then start the first one.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  /** Advances one epoch with the schedule in charge, restarting it at its milestone. */
  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** The learning rate of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Plain-data state: the counters and each schedule's own state dict. */
  stateDict(): SchedulerStateDict {
    return {
      milestones: [...this.milestones],
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a state saved by {@link SequentialLR.stateDict}. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const subs = stateDict.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      throw new Error(`SequentialLR.loadStateDict: expected state for ${this.schedulers.length} schedulers`);
    }
    this.milestones = [...(stateDict.milestones as number[])];
    this.lastEpoch = stateDict.lastEpoch as number;
    this.lastLr = [...(stateDict.lastLr as number[])];
    subs.forEach((s, i) => this.schedulers[i].loadStateDict(s as SchedulerStateDict));
  }
}
