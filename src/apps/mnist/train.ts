/**
 * One MNIST training run into a folder, as `glubina train mnist` and `npm start` do it:
 *
 * | file in `out` | what |
 * |---|---|
 * | `checkpoint.safetensors` | full checkpoint after every epoch (model, optimiser, schedule, epoch, every RNG state, history), written atomically; `--resume` continues from it |
 * | `model.safetensors` | the final weights (names as in `stateDict()`), with the run's configuration in the header |
 * | `best.safetensors` | the weights of the epoch with the best validation accuracy |
 * | `metrics.jsonl` | one JSON record per epoch |
 * | `curves.png` | loss and accuracy curves |
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed } from '../../core/random.js';
import { tidy } from '../../core/memory.js';
import { loadCheckpoint, type LoadedCheckpoint } from '../../io/checkpoint.js';
import { saveSafetensors } from '../../io/safetensors.js';
import { CrossEntropyLoss } from '../../nn/modules/loss.js';
import type { ProgressStream } from '../../report/progress.js';
import { BestCheckpoint, MetricsLogger, PlotCurves, type Callback } from '../../train/callbacks.js';
import { evaluate, fit } from '../../train/fit.js';
import type { EpochRecord } from '../../train/history.js';
import { buildOptimizer, buildScheduler, lrFactor, mnistConfig, type MnistConfig } from './config.js';
import { mnistData, type MnistData } from './data.js';
import { buildMnistModel, type MnistModel, type MnistModelName } from './models.js';
import { configMetadata, parseConfig } from './saved.js';
import { ttaAccuracy } from './tta.js';

/** Options of {@link trainMnist}. */
export interface TrainMnistOptions {
  /** The model (default: the saved run's on resume, else required). */
  model?: MnistModelName;
  /** Settings that override the model's recipe (on resume: only `epochs` may change). */
  overrides?: Partial<MnistConfig>;
  /** Output folder. */
  out: string;
  /** Continue the run saved in `out`. */
  resume?: boolean;
  /** Progress output: a stream, true for stdout (default), false for none. */
  progress?: boolean | ProgressStream;
  /** Live bar (default: when the stream is a terminal). */
  tty?: boolean;
  /** Draw `curves.png` (default true). */
  plot?: boolean;
  /** Also measure the test accuracy with test-time augmentation over this many copies (0 or 1: no; default 8 for augmented runs, else 0). */
  tta?: number;
  /** Called once the model and data are ready (to print what the run is). */
  onStart?: (config: MnistConfig, numParameters: number, sizes: MnistData['sizes'], resumedEpoch: number | null) => void;
}

/** What {@link trainMnist} returns. */
export interface TrainMnistResult {
  config: MnistConfig;
  model: MnistModel;
  history: EpochRecord[];
  /** Test-set accuracy and mean loss of the final weights. */
  testAcc: number;
  testLoss: number;
  testSamples: number;
  /** Test accuracy with test-time augmentation, and its number of copies (null without). */
  testAccTta: number | null;
  ttaCopies: number;
  /** Epochs run by this call (0 when a resumed run was already complete). */
  epochsRun: number;
  /** Wall time of this call in seconds (data loading, training, test). */
  seconds: number;
  /** Paths of the files written. */
  files: { checkpoint: string; weights: string; best: string | null; metrics: string; curves: string | null };
}

/** The settings a resumed run must keep: changing any of them would change the trajectory. */
const FIXED_ON_RESUME: readonly (keyof MnistConfig)[] = [
  'model', 'batchSize', 'optimizer', 'lr', 'momentum', 'nesterov', 'weightDecay', 'schedule', 'augment', 'seed', 'limit', 'valSize', 'mean', 'std',
];

function savedConfig(ck: LoadedCheckpoint, path: string): MnistConfig {
  const user = (ck.metadata as { user?: { config?: unknown } } | null)?.user;
  return parseConfig(path, user?.config);
}

/** The configuration of a run: fresh from the recipe, or the saved one with the allowed changes. */
function resolveConfig(options: TrainMnistOptions, ck: LoadedCheckpoint | null, ckPath: string): MnistConfig {
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined)) as Partial<MnistConfig>;
  if (!ck) {
    if (!options.model) throw new Error('train: choose a model (--model mlp|lenet|cnn)');
    return mnistConfig(options.model, overrides);
  }
  const saved = savedConfig(ck, ckPath);
  if (options.model && options.model !== saved.model) {
    throw new Error(`train: cannot resume: ${ckPath} is a '${saved.model}' run, not '${options.model}'`);
  }
  for (const key of FIXED_ON_RESUME) {
    if (key in overrides && overrides[key] !== saved[key]) {
      throw new Error(`train: cannot resume with a different ${key} (${JSON.stringify(overrides[key])}; the run used ${JSON.stringify(saved[key])}): only --epochs may change`);
    }
  }
  return mnistConfig(saved.model, { ...saved, ...overrides });
}

/**
 * Trains an MNIST model into `options.out` (see the module docs for the files), evaluates the
 * final weights on the test set and returns the numbers. With `resume`, continues the run saved in
 * `out` from its last complete epoch along the same trajectory, bit for bit.
 * @example
 * const r = await trainMnist({ model: 'lenet', out: 'runs/mnist-lenet' });
 * console.log(r.testAcc);
 */
export async function trainMnist(options: TrainMnistOptions): Promise<TrainMnistResult> {
  const t0 = performance.now();
  const out = options.out;
  const files = {
    checkpoint: join(out, 'checkpoint.safetensors'),
    weights: join(out, 'model.safetensors'),
    best: join(out, 'best.safetensors') as string | null,
    metrics: join(out, 'metrics.jsonl'),
    curves: (options.plot ?? true) ? join(out, 'curves.png') : null,
  };
  let ck: LoadedCheckpoint | null = null;
  if (options.resume) {
    if (!existsSync(files.checkpoint)) throw new Error(`train: cannot resume: no checkpoint at ${files.checkpoint} (train without --resume first)`);
    ck = loadCheckpoint(files.checkpoint);
  }
  const config = resolveConfig(options, ck, files.checkpoint);
  mkdirSync(out, { recursive: true });

  manualSeed(config.seed);
  const model = buildMnistModel(config.model);
  const optimizer = buildOptimizer(config, model.parameters());
  const scheduler = buildScheduler(config, optimizer);
  const data = mnistData(config);
  if (!data.validation) files.best = null;
  const meta = configMetadata(config);
  options.onStart?.(config, model.numParameters(), data.sizes, ck ? ck.epoch : null);

  const callbacks: Callback[] = [
    // A resumed run may have more epochs than the saved one: put the rate on this run's schedule.
    { onTrainBegin: () => { if (scheduler) optimizer.paramGroups.forEach((g) => { g.lr = (g.initialLr ?? g.lr) * lrFactor(config, scheduler.lastEpoch); }); } },
    new MetricsLogger(files.metrics),
  ];
  if (files.best) callbacks.push(new BestCheckpoint(files.best, { monitor: 'valAcc', metadata: meta }));
  if (files.curves) callbacks.push(new PlotCurves(files.curves, { title: `MNIST ${config.model}` }));

  const result = await fit(model, {
    train: data.train,
    validation: data.validation,
    loss: new CrossEntropyLoss(),
    optimizer,
    scheduler,
    epochs: config.epochs,
    callbacks,
    progress: options.progress,
    tty: options.tty,
    checkpoint: files.checkpoint,
    resume: ck,
    generators: data.generators,
    metadata: { config: config as unknown as Record<string, number | string | boolean | null> },
  });
  tidy(() => saveSafetensors(files.weights, model.stateDict(), { ...meta, epoch: String(result.history.length) }));
  const test = evaluate(model, data.test, { loss: new CrossEntropyLoss(), progress: false });
  const copies = options.tta ?? (config.augment ? 8 : 0);
  const withTta = copies > 1 ? ttaAccuracy(model, data.testSet.images, data.testSet.labels, { copies, mean: config.mean, std: config.std, seed: config.seed }).acc : null;
  return {
    config, model, history: result.history,
    testAcc: test.metrics.acc, testLoss: test.loss ?? NaN, testSamples: test.samples,
    testAccTta: withTta, ttaCopies: copies,
    epochsRun: result.epochsRun,
    seconds: (performance.now() - t0) / 1000,
    files,
  };
}
