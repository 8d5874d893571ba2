/**
 * `fit`: the training loop most runs need, on top of the plain PyTorch-style loop (which stays
 * fully usable: `fit` only calls public APIs). Per epoch: `model.train()`, one optimiser step per
 * batch (each in a `tidy`, so backends with memory outside the JS heap free every intermediate at
 * once), then `model.eval()` and validation under `noGrad`, the scheduler step, callbacks, and a
 * full checkpoint written atomically. A run resumed from that checkpoint continues the same
 * trajectory bit for bit: weights, optimiser and scheduler state, every random generator, the
 * history and the callbacks' state are all restored.
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { noGrad } from '../core/grad_mode.js';
import { keep, tidy } from '../core/memory.js';
import { Generator, getRngState, setRngState } from '../core/random.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { DataLoader } from '../data/dataloader.js';
import { loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from '../io/checkpoint.js';
import type { JsonValue } from '../io/state_tree.js';
import { Module, type AnyModule } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import type { LRScheduler, SchedulerStateDict } from '../optim/lr_scheduler/scheduler.js';
import { ReduceLROnPlateau } from '../optim/lr_scheduler/plateau.js';
import { formatDuration, formatStats, Progress, type ProgressStream } from '../report/progress.js';
import type { Callback, FitContext } from './callbacks.js';
import { checkHistory, metricKey, recordToJson, type EpochRecord } from './history.js';
import { metricFromName, type Metric } from './metrics.js';

/** A batch: `[input, target]` (what a DataLoader over a `TensorDataset(x, y)` yields; more tensors are ignored). */
export type Batch = readonly Tensor[];

/** A loss: a function of (output, target), or a loss module such as `nn.CrossEntropyLoss`. */
export type LossLike = ((output: Tensor, target: Tensor) => Tensor) | Module<[Tensor, Tensor], Tensor>;

/** A learning-rate schedule stepped once per epoch. */
export type EpochScheduler = LRScheduler | ReduceLROnPlateau;

/** Options of {@link fit}. */
export interface FitOptions {
  /** Training batches, one pass per epoch (a `DataLoader`, or any iterable of `[input, target]`). */
  train: Iterable<Batch>;
  /** Validation batches, evaluated after each epoch with `model.eval()` and no graph. */
  validation?: Iterable<Batch> | null;
  /** The loss, e.g. `new nn.CrossEntropyLoss()` or `(y, t) => functional.mseLoss(y, t)`. Must give the batch mean. */
  loss: LossLike;
  optimizer: Optimizer;
  /** Stepped after each epoch; `ReduceLROnPlateau` with the value of `schedulerMonitor`. */
  scheduler?: EpochScheduler | null;
  /** Record key a `ReduceLROnPlateau` watches (default 'valLoss', or 'trainLoss' without validation). */
  schedulerMonitor?: string;
  /** Epochs of the whole run (a resumed run counts the epochs already done). */
  epochs: number;
  /** Metrics per epoch, by name (`'acc'`, `'top5'`) or as {@link Metric} objects (default `['acc']`). */
  metrics?: readonly (Metric | string)[];
  callbacks?: readonly Callback[];
  /** Where progress goes: a stream, `true` for stdout (the default), `false` for silence. */
  progress?: boolean | ProgressStream;
  /** Draw a live bar (default: when the stream is a terminal; plain log lines otherwise). */
  tty?: boolean;
  /** Path of the full checkpoint written (atomically) after every epoch. */
  checkpoint?: string | null;
  /**
   * Continue from a checkpoint: `true` reads `checkpoint`; a path or a loaded checkpoint may be
   * given instead. The model, optimiser and scheduler must be built as in the saved run.
   */
  resume?: boolean | string | LoadedCheckpoint | null;
  /**
   * Random generators whose state the checkpoint keeps besides the default one (which drives
   * Dropout, default-generator shuffling and augmentation): e.g. `{ augment: gen }`. A `DataLoader`
   * given as `train` with its own generator is included as `train` automatically.
   */
  generators?: Readonly<Record<string, Generator>>;
  /** JSON stored in each checkpoint under `metadata.user` (e.g. the command line that made the run). */
  metadata?: JsonValue;
}

/** What {@link fit} returns. */
export interface FitResult {
  /** One record per epoch, the resumed ones included. */
  history: EpochRecord[];
  /** Why training stopped before `epochs`, or null. */
  stopReason: string | null;
  /** Epochs run by this call. */
  epochsRun: number;
  /** Wall time of this call in seconds. */
  seconds: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** A loss to average (omit for metrics only). */
  loss?: LossLike | null;
  /** Metrics (default `['acc']`). */
  metrics?: readonly (Metric | string)[];
  /** Progress output (default false). */
  progress?: boolean | ProgressStream;
  tty?: boolean;
  /** Label of the progress bar (default 'eval'). */
  label?: string;
}

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  /** Mean loss per sample, or null without a loss. */
  loss: number | null;
  /** Each metric's value by name, e.g. `{ acc: 0.991 }`. */
  metrics: Record<string, number>;
  /** Samples seen. */
  samples: number;
  /** Wall time in seconds. */
  seconds: number;
}

/** The state `fit` keeps in `metadata.fit` of its checkpoints. */
interface FitState {
  history: EpochRecord[];
  generators: Record<string, number[]>;
  callbacks: { type: string; state: JsonValue }[];
  stopReason: string | null;
}

function applyLoss(loss: LossLike, output: Tensor, target: Tensor): Tensor {
  const l = loss instanceof Module ? loss.call(output, target) : loss(output, target);
  if (!(l instanceof Tensor) || l.numel() !== 1) {
    throw new Error(`fit: the loss must return a single-element tensor (the batch mean), got ${l instanceof Tensor ? fmtShape(l.shape) : typeof l}`);
  }
  return l;
}

function toMetrics(list: readonly (Metric | string)[] | undefined): Metric[] {
  return (list ?? ['acc']).map((m) => (typeof m === 'string' ? metricFromName(m) : m));
}

function checkBatch(op: string, value: unknown, index: number): readonly [Tensor, Tensor] {
  if (!Array.isArray(value) || value.length < 2 || !(value[0] instanceof Tensor) || !(value[1] instanceof Tensor)) {
    throw new Error(`${op}: batch ${index} is not [input, target] tensors`);
  }
  if (value[0].ndim === 0 || value[0].shape[0] === 0) throw new Error(`${op}: batch ${index} has an empty input ${fmtShape(value[0].shape)}`);
  return [value[0], value[1]];
}

/** Samples per pass of a loader, when it can tell (a DataLoader), else null. */
function samplesPerEpoch(data: Iterable<Batch>): number | null {
  if (data instanceof DataLoader) {
    const n = data.dataset.length;
    return data.dropLast ? Math.floor(n / data.batchSize) * data.batchSize : n;
  }
  const len = (data as { samples?: unknown }).samples;
  return typeof len === 'number' ? len : null;
}

function streamOf(progress: boolean | ProgressStream | undefined, fallback: boolean): ProgressStream | null {
  const p = progress ?? fallback;
  if (p === false) return null;
  return p === true ? process.stdout : p;
}

/**
 * Keeps the optimiser's state tensors alive across the per-step `tidy`: algorithms create their
 * buffers lazily inside `step()` (SGD's momentum buffer is a clone of the first gradient), which
 * a tidy around the step would otherwise free.
 */
function keepOptimizerState(optimizer: Optimizer): void {
  for (const s of optimizer.state.values()) {
    for (const v of Object.values(s)) if (v instanceof Tensor) keep(v);
  }
}

/**
 * One pass over `data` without a graph, in evaluation mode (the model's mode is restored after):
 * the mean loss and the metrics.
 * @example
 * const { loss, metrics } = evaluate(model, testLoader, { loss: new nn.CrossEntropyLoss() });
 * console.log(metrics.acc);
 */
export function evaluate(model: AnyModule, data: Iterable<Batch>, options: EvaluateOptions = {}): EvaluateResult {
  const metrics = toMetrics(options.metrics);
  for (const m of metrics) m.reset();
  const wasTraining = model.training;
  model.eval();
  const stream = streamOf(options.progress, false);
  const total = samplesPerEpoch(data);
  const bar = stream && total !== null ? new Progress({ total, label: options.label ?? 'eval', stream, tty: options.tty }) : null;
  const t0 = performance.now();
  let lossSum = 0;
  let samples = 0;
  try {
    const it = data[Symbol.iterator]();
    for (let b = 0; ; b++) {
      const done = tidy(() => noGrad(() => {
        const next = it.next();
        if (next.done) return true;
        const [x, y] = checkBatch('evaluate', next.value, b);
        const out = (model as Module<[Tensor], Tensor>).call(x);
        const n = x.shape[0];
        if (options.loss) lossSum += applyLoss(options.loss, out, y).item() * n;
        for (const m of metrics) m.update(out, y);
        samples += n;
        return false;
      }));
      if (done) break;
      bar?.update(samples);
    }
  } finally {
    model.train(wasTraining);
  }
  const result: EvaluateResult = {
    loss: options.loss ? lossSum / samples : null,
    metrics: Object.fromEntries(metrics.map((m) => [m.name, m.compute()])),
    samples,
    seconds: (performance.now() - t0) / 1000,
  };
  bar?.stop({ loss: result.loss ?? undefined, ...result.metrics });
  return result;
}

function loadResume(resume: FitOptions['resume'], checkpoint: string | null | undefined): LoadedCheckpoint | null {
  if (resume === undefined || resume === null || resume === false) return null;
  if (resume === true) {
    if (!checkpoint) throw new Error('fit: resume: true needs the checkpoint option (the path to resume from)');
    if (!existsSync(checkpoint)) throw new Error(`fit: cannot resume: no checkpoint at ${checkpoint}`);
    return loadCheckpoint(checkpoint);
  }
  if (typeof resume === 'string') {
    if (!existsSync(resume)) throw new Error(`fit: cannot resume: no checkpoint at ${resume}`);
    return loadCheckpoint(resume);
  }
  return resume;
}

function readFitState(ck: LoadedCheckpoint): FitState {
  const meta = ck.metadata as { fit?: unknown } | null;
  const fs = meta && typeof meta === 'object' ? (meta.fit as FitState | undefined) : undefined;
  if (!fs || typeof fs !== 'object') throw new Error('fit: the checkpoint has no training state (metadata.fit); it was not written by fit');
  return {
    history: checkHistory('fit', fs.history),
    generators: fs.generators ?? {},
    callbacks: Array.isArray(fs.callbacks) ? fs.callbacks : [],
    stopReason: typeof fs.stopReason === 'string' ? fs.stopReason : null,
  };
}

/**
 * Trains `model` for `epochs` epochs and returns the history, like Keras' `model.fit` over a
 * PyTorch-style loop:
 *
 * ```text
 * for epoch = first … epochs:
 *   model.train()
 *   for (x, y) in train:  zeroGrad; loss(model(x), y).backward(); optimizer.step()
 *   model.eval(); noGrad: valLoss, valAcc over validation
 *   scheduler.step()  (ReduceLROnPlateau: scheduler.step(record[schedulerMonitor]))
 *   callbacks.onEpochEnd(record); save checkpoint
 * ```
 *
 * Progress shows loss, accuracy, samples/s and the ETA (a live bar in a terminal, a log line every
 * 10 s otherwise). Parameter gradients are dropped after each step (`.grad = null`): they were
 * made inside the step's `tidy`. A NaN or infinite loss stops training with an error.
 * @example
 * const { history } = await fit(model, {
 *   train: trainLoader, validation: valLoader, loss: new nn.CrossEntropyLoss(),
 *   optimizer: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), epochs: 5,
 *   callbacks: [new EarlyStopping({ patience: 2 })], checkpoint: 'run/checkpoint.safetensors',
 * });
 */
export async function fit(model: AnyModule, options: FitOptions): Promise<FitResult> {
  const t0 = performance.now();
  const { optimizer, epochs } = options;
  if (!(model instanceof Module)) throw new Error('fit: model must be an nn.Module');
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (!options.train || typeof (options.train as Iterable<Batch>)[Symbol.iterator] !== 'function') throw new Error('fit: train must be an iterable of [input, target] batches (e.g. a DataLoader)');
  const scheduler = options.scheduler ?? null;
  const validation = options.validation ?? null;
  const metrics = toMetrics(options.metrics);
  const callbacks = [...(options.callbacks ?? [])];
  const stream = streamOf(options.progress, true);
  const generators: Record<string, Generator> = { ...(options.generators ?? {}) };
  if (options.train instanceof DataLoader && options.train.generator && !Object.values(generators).includes(options.train.generator)) {
    generators.train = options.train.generator;
  }
  const plateauMonitor = options.schedulerMonitor ?? (validation ? 'valLoss' : 'trainLoss');

  let history: EpochRecord[] = [];
  let stopReason: string | null = null;
  const ck = loadResume(options.resume, options.checkpoint);
  if (ck) {
    const state = readFitState(ck);
    model.loadStateDict(ck.model);
    if (ck.optimizer) optimizer.loadStateDict(ck.optimizer as OptimizerStateDict);
    keepOptimizerState(optimizer);
    if (scheduler && ck.scheduler) scheduler.loadStateDict(ck.scheduler as SchedulerStateDict);
    else if (scheduler && !ck.scheduler) throw new Error('fit: cannot resume: the checkpoint has no scheduler state but a scheduler was given');
    if (ck.rngState) setRngState(ck.rngState);
    for (const [name, g] of Object.entries(generators)) {
      const s = state.generators[name];
      if (!s) throw new Error(`fit: cannot resume: the checkpoint has no state for the generator '${name}' (it has ${Object.keys(state.generators).join(', ') || 'none'})`);
      g.setState(s);
    }
    state.callbacks.forEach((c, i) => {
      const cb = callbacks[i];
      if (cb && cb.constructor.name === c.type && cb.loadStateDict) cb.loadStateDict(c.state);
    });
    history = state.history;
    stopReason = state.stopReason;
    if (history.length !== (ck.epoch ?? 0)) throw new Error(`fit: the checkpoint's history has ${history.length} epochs but its epoch is ${ck.epoch}`);
  }

  const ctx: FitContext = {
    model, optimizer, epochs,
    get history() { return history; },
    stopTraining(reason: string) { stopReason = reason; },
  };
  const save = (): void => {
    const path = options.checkpoint;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    const fitState = {
      history: history.map((r) => JSON.parse(recordToJson(r)) as JsonValue),
      generators: Object.fromEntries(Object.entries(generators).map(([k, g]) => [k, g.getState()])),
      callbacks: callbacks.map((c) => ({ type: c.constructor.name, state: c.stateDict ? c.stateDict() : null })),
      stopReason,
    };
    // The state dicts copy tensors: free the copies as soon as they are written.
    tidy(() => saveCheckpoint(path, {
      model: model.stateDict(),
      optimizer: optimizer.stateDict(),
      scheduler: scheduler ? scheduler.stateDict() : null,
      epoch: history.length,
      rngState: getRngState(),
      metadata: { fit: fitState, user: options.metadata ?? null },
    }));
  };

  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  const first = history.length + 1;
  let epochsRun = 0;
  for (let epoch = first; epoch <= epochs && stopReason === null; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    const te = performance.now();
    const lr = optimizer.paramGroups[0].lr;
    const label = `epoch ${epoch}/${epochs}`;
    const total = samplesPerEpoch(options.train);
    const bar = stream ? new Progress({ total: total ?? 0, label, stream, tty: options.tty }) : null;

    // Training pass.
    model.train();
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let samples = 0;
    const it = options.train[Symbol.iterator]();
    for (let b = 0; ; b++) {
      // The batch is drawn inside the tidy so that the loader's tensors are freed with the step's.
      const stats = tidy(() => {
        const next = it.next();
        if (next.done) return null;
        const [x, y] = checkBatch('fit', next.value, b);
        model.zeroGrad();
        optimizer.zeroGrad();
        const out = (model as Module<[Tensor], Tensor>).call(x);
        const loss = applyLoss(options.loss, out, y);
        const lv = loss.item();
        if (!Number.isFinite(lv)) {
          throw new Error(`fit: the loss is ${lv} at epoch ${epoch}, batch ${b + 1} (lr ${lr}); lower the learning rate or check the data`);
        }
        loss.backward();
        optimizer.step();
        keepOptimizerState(optimizer);
        // The gradients live in this tidy's memory: drop every reference to them (parameters the
        // optimiser does not update included) before it frees them.
        model.zeroGrad();
        optimizer.zeroGrad();
        noGrad(() => { for (const m of metrics) m.update(out, y); });
        return { size: x.shape[0], loss: lv };
      });
      if (stats === null) break;
      lossSum += stats.loss * stats.size;
      samples += stats.size;
      for (const cb of callbacks) cb.onBatchEnd?.({ batch: b, size: stats.size, loss: stats.loss }, ctx);
      if (bar) {
        const shown: Record<string, number> = { loss: lossSum / samples };
        for (const m of metrics) shown[m.name] = m.compute();
        if (total === null) bar.update(0, shown);
        else bar.update(samples, shown);
      }
    }
    if (samples === 0) throw new Error(`fit: the training data gave no batches in epoch ${epoch}`);
    const trainLoss = lossSum / samples;
    const trainMetrics = Object.fromEntries(metrics.map((m) => [m.name, m.compute()]));
    bar?.stop({ loss: trainLoss, ...trainMetrics });

    // Validation pass.
    const val = validation ? evaluate(model, validation, { loss: options.loss, metrics }) : null;
    model.train();

    const record: EpochRecord = {
      epoch, trainLoss, trainAcc: trainMetrics.acc ?? null,
      valLoss: val ? val.loss : null, valAcc: val ? (val.metrics.acc ?? null) : null,
      lr, seconds: 0,
    };
    for (const m of metrics) {
      if (m.name === 'acc') continue;
      record[metricKey('train', m.name)] = trainMetrics[m.name];
      record[metricKey('val', m.name)] = val ? val.metrics[m.name] : null;
    }
    record.seconds = (performance.now() - te) / 1000;
    if (stream && val) {
      stream.write(`${label} validation: ${formatStats({ loss: val.loss ?? undefined, ...val.metrics })} | lr ${Number(lr.toPrecision(4))} | epoch took ${formatDuration(record.seconds)}\n`);
    }
    history.push(record);

    if (scheduler instanceof ReduceLROnPlateau) {
      const v = record[plateauMonitor];
      if (typeof v !== 'number') throw new Error(`fit: ReduceLROnPlateau monitors '${plateauMonitor}', which the epoch record does not have (${Object.keys(record).join(', ')})`);
      scheduler.step(v);
    } else if (scheduler) {
      scheduler.step();
    }
    for (const cb of callbacks) await cb.onEpochEnd?.(record, ctx);
    save();
    epochsRun++;
    if (stopReason !== null && stream) stream.write(`${stopReason}\n`);
    // Let pending finalisers and I/O run between epochs.
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  return { history, stopReason, epochsRun, seconds: (performance.now() - t0) / 1000 };
}

