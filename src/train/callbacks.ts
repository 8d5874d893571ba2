/**
 * Callbacks for {@link fit}, like Keras': hooks called at the start and end of training, of each
 * epoch and of each batch. Early stopping, best-checkpoint saving, the `metrics.jsonl` log and the
 * curves plot are callbacks; a callback's state can be saved in a checkpoint so that a resumed run
 * behaves as the uninterrupted one would.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { tidy } from '../core/memory.js';
import type { JsonValue } from '../io/state_tree.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { AnyModule } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { plotHistory, type PlotOptions } from '../report/plot.js';
import { appendJsonl, writeJsonl, type EpochRecord } from './history.js';

/** What callbacks see of the run. */
export interface FitContext {
  readonly model: AnyModule;
  readonly optimizer: Optimizer;
  /** Epochs of the whole run (the `epochs` option). */
  readonly epochs: number;
  /** Records of the finished epochs (on resume, the earlier ones included). */
  readonly history: readonly EpochRecord[];
  /** Asks the loop to stop after the current epoch (what {@link EarlyStopping} calls). */
  stopTraining(reason: string): void;
}

/** Numbers of one training batch. */
export interface BatchStats {
  /** 0-based batch index in the epoch. */
  batch: number;
  /** Samples in the batch. */
  size: number;
  /** The batch's loss. */
  loss: number;
}

/**
 * A training callback. Every hook is optional and may be async (awaited before training goes on).
 * A callback with state that matters after a resume (a best value, a patience counter) implements
 * `stateDict` / `loadStateDict`; {@link fit} stores it in the checkpoint.
 */
export interface Callback {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  /** `epoch` is 1-based. */
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  /** After each optimiser step; synchronous, since it runs inside the training loop. */
  onBatchEnd?(stats: BatchStats, ctx: FitContext): void;
  /** After the epoch's validation and the scheduler step, with the epoch's record. */
  onEpochEnd?(record: EpochRecord, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
  stateDict?(): JsonValue;
  loadStateDict?(state: JsonValue): void;
}

/** Whether a monitored quantity improves upward: `'auto'` → accuracies up, losses down. */
export type MonitorMode = 'min' | 'max' | 'auto';

function resolveMode(op: string, monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new Error(`${op}: mode must be 'min', 'max' or 'auto', got '${String(mode)}'`);
  return /acc/i.test(monitor) ? 'max' : 'min';
}

/** The monitored value of a record; throws naming the keys it has when the key is absent. */
function monitored(op: string, record: EpochRecord, monitor: string): number | null {
  if (!(monitor in record)) {
    throw new Error(`${op}: the epoch record has no '${monitor}' (it has ${Object.keys(record).join(', ')}); give a validation set or monitor a train metric`);
  }
  const v = record[monitor];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Tracks the best value of a monitored quantity. `minDelta` is the smallest change that counts. */
class BestTracker {
  best: number | null = null;
  bestEpoch: number | null = null;
  constructor(readonly mode: 'min' | 'max', readonly minDelta: number) {}

  /** True when `v` improves on the best (and records it). */
  offer(v: number | null, epoch: number): boolean {
    if (v === null) return false;
    const better = this.best === null || (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
    }
    return better;
  }
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Record key to watch (default 'valLoss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default: accuracies 'max', the rest 'min'). */
  mode?: MonitorMode;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
}

/**
 * Stops training once `monitor` has not improved for `patience` epochs, like Keras'
 * `EarlyStopping`: an epoch improves when `v < best − minDelta` (mode 'min') or
 * `v > best + minDelta` (mode 'max').
 * @example fit(model, { …, callbacks: [new EarlyStopping({ monitor: 'valAcc', patience: 3 })] })
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch after which training was stopped, or null. */
  stoppedEpoch: number | null = null;
  #best: BestTracker;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMode('EarlyStopping', this.monitor, options.mode ?? 'auto');
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
    if (!(this.minDelta >= 0)) throw new Error(`EarlyStopping: minDelta must be non-negative, got ${this.minDelta}`);
    this.#best = new BestTracker(this.mode, this.minDelta);
  }

  /** Best value seen so far, or null. */
  get best(): number | null {
    return this.#best.best;
  }

  onEpochEnd(record: EpochRecord, ctx: FitContext): void {
    if (this.#best.offer(monitored('EarlyStopping', record, this.monitor), record.epoch)) {
      this.wait = 0;
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      this.stoppedEpoch = record.epoch;
      ctx.stopTraining(`early stopping: ${this.monitor} has not improved for ${this.wait} epochs (best ${this.#best.best} at epoch ${this.#best.bestEpoch})`);
    }
  }

  stateDict(): JsonValue {
    return { best: this.#best.best, bestEpoch: this.#best.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch };
  }

  loadStateDict(state: JsonValue): void {
    const s = state as { best: number | null; bestEpoch: number | null; wait: number; stoppedEpoch: number | null };
    this.#best.best = s.best;
    this.#best.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
    this.stoppedEpoch = s.stoppedEpoch;
  }
}

/** Options of {@link BestCheckpoint}. */
export interface BestCheckpointOptions {
  /** Record key to watch (default 'valAcc'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default). */
  mode?: MonitorMode;
  /** Metadata strings stored in the safetensors header (e.g. how to rebuild the model). */
  metadata?: Readonly<Record<string, string>>;
  /** Print a line when a new best is saved (default false). */
  verbose?: boolean;
}

/**
 * Saves the model's weights (safetensors, names as in `stateDict()`, written atomically) whenever
 * `monitor` reaches a new best, like Keras' `ModelCheckpoint(save_best_only=True)`.
 * The header's metadata also records `epoch` and the monitored value.
 */
export class BestCheckpoint implements Callback {
  readonly path: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly metadata: Readonly<Record<string, string>>;
  readonly verbose: boolean;
  #best: BestTracker;

  constructor(path: string, options: BestCheckpointOptions = {}) {
    this.path = path;
    this.monitor = options.monitor ?? 'valAcc';
    this.mode = resolveMode('BestCheckpoint', this.monitor, options.mode ?? 'auto');
    this.metadata = options.metadata ?? {};
    this.verbose = options.verbose ?? false;
    this.#best = new BestTracker(this.mode, 0);
  }

  /** Best value so far and its epoch. */
  get best(): { value: number | null; epoch: number | null } {
    return { value: this.#best.best, epoch: this.#best.bestEpoch };
  }

  onEpochEnd(record: EpochRecord, ctx: FitContext): void {
    const v = monitored('BestCheckpoint', record, this.monitor);
    if (!this.#best.offer(v, record.epoch)) return;
    mkdirSync(dirname(this.path), { recursive: true });
    tidy(() => saveSafetensors(this.path, ctx.model.stateDict(), {
      ...this.metadata, epoch: String(record.epoch), [this.monitor]: String(v),
    }));
    if (this.verbose) console.log(`  saved best ${this.monitor} ${v} (epoch ${record.epoch}) to ${this.path}`);
  }

  stateDict(): JsonValue {
    return { best: this.#best.best, bestEpoch: this.#best.bestEpoch };
  }

  loadStateDict(state: JsonValue): void {
    const s = state as { best: number | null; bestEpoch: number | null };
    this.#best.best = s.best;
    this.#best.bestEpoch = s.bestEpoch;
  }
}

/**
 * Writes the history to a JSON-lines file, one record per epoch as it ends. At the start it
 * rewrites the file with the history so far, so a resumed run's log matches its checkpoint.
 */
export class MetricsLogger implements Callback {
  constructor(readonly path: string) {}

  onTrainBegin(ctx: FitContext): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeJsonl(this.path, ctx.history);
  }

  onEpochEnd(record: EpochRecord): void {
    appendJsonl(this.path, record);
  }
}

/** Plots the loss and accuracy curves to a PNG after every epoch (see `report.plotHistory`). */
export class PlotCurves implements Callback {
  constructor(readonly path: string, readonly options: PlotOptions = {}) {}

  async onEpochEnd(_record: EpochRecord, ctx: FitContext): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    // Only the loss and accuracy columns are curves; lr and seconds would be dropped anyway.
    await plotHistory(ctx.history.map((r) => ({ epoch: r.epoch, trainLoss: r.trainLoss, valLoss: r.valLoss, trainAcc: r.trainAcc, valAcc: r.valAcc })), this.path, this.options);
  }
}

/** A callback from plain functions, e.g. `new LambdaCallback({ onEpochEnd: (r) => console.log(r) })`. */
export class LambdaCallback implements Callback {
  constructor(hooks: Omit<Callback, 'stateDict' | 'loadStateDict'>) {
    Object.assign(this, hooks);
  }
}
