/**
 * `glubina train mnist …`: trains an MNIST model into a folder (weights, checkpoint, metrics.jsonl,
 * curves.png), or continues one with `--resume`.
 * @module
 */
import { join } from 'node:path';
import { getBackendName } from '../../core/backend.js';
import { formatDuration } from '../../report/progress.js';
import { OPTIMIZERS, SCHEDULES, type MnistConfig } from '../../apps/mnist/config.js';
import { MNIST_MODELS, type MnistModelName } from '../../apps/mnist/models.js';
import { trainMnist, type TrainMnistResult } from '../../apps/mnist/train.js';
import { choiceOpt, CliError, flag, helpText, intOpt, numberOpt, parseCommand, percent, stringOpt, thousands, type OptionSpecs } from './args.js';

const SPECS: OptionSpecs = {
  model: { type: 'string', arg: MNIST_MODELS.join('|'), help: 'the model (default lenet)' },
  epochs: { type: 'string', arg: 'N', help: 'epochs of the run (the model\'s recipe sets the default)' },
  'batch-size': { type: 'string', arg: 'B', help: 'training batch size (default 64)' },
  optimizer: { type: 'string', arg: OPTIMIZERS.join('|'), help: 'optimiser (recipe default)' },
  lr: { type: 'string', arg: 'X', help: 'learning rate (recipe default)' },
  momentum: { type: 'string', arg: 'M', help: 'SGD momentum (default 0.9)' },
  'weight-decay': { type: 'string', arg: 'W', help: 'weight decay (recipe default)' },
  schedule: { type: 'string', arg: SCHEDULES.join('|'), help: 'learning-rate schedule per epoch (recipe default)' },
  augment: { type: 'boolean', help: 'random affine augmentation of the training images' },
  seed: { type: 'string', arg: 'S', help: 'seed of weights, split, shuffling and augmentation (default 0)' },
  out: { type: 'string', arg: 'DIR', help: 'output folder (default runs/mnist-<model>)' },
  resume: { type: 'boolean', help: 'continue the run saved in --out from its last epoch (bit for bit)' },
  limit: { type: 'string', arg: 'N', help: 'use only the first N training and N test images' },
  'val-size': { type: 'string', arg: 'N', help: 'training images held out for validation (default 1/12 of them)' },
  'no-plot': { type: 'boolean', help: 'do not draw curves.png' },
  tta: { type: 'string', arg: 'N', help: 'also report the test accuracy with test-time augmentation over N copies (default 8 with --augment, else 0)' },
};

const DESCRIPTION = `Trains a model on MNIST. Each run writes to its folder: model.safetensors (final weights),
best.safetensors (best validation accuracy), checkpoint.safetensors (full state after every epoch,
for --resume), metrics.jsonl (one line per epoch) and curves.png (loss and accuracy).
Recipes: lenet ≥ 99.0% test accuracy; cnn --augment ≥ 99.6%.`;

/** The help of `glubina train`. */
export const TRAIN_HELP = helpText('glubina train mnist [--model mlp|lenet|cnn] [--epochs N] [--batch-size B] [--optimizer sgd|adam|adamw] [--lr X] [--augment] [--seed S] [--out DIR] [--resume] [--limit N]', DESCRIPTION, SPECS);

/** The settings given on the command line (undefined where not given). */
function overridesFrom(values: Record<string, string | boolean | undefined>): Partial<MnistConfig> {
  return {
    epochs: intOpt(values, 'epochs'),
    batchSize: intOpt(values, 'batch-size'),
    optimizer: choiceOpt(values, 'optimizer', OPTIMIZERS),
    lr: numberOpt(values, 'lr', { positive: true }),
    momentum: numberOpt(values, 'momentum', { min: 0 }),
    weightDecay: numberOpt(values, 'weight-decay', { min: 0 }),
    schedule: choiceOpt(values, 'schedule', SCHEDULES),
    augment: flag(values, 'augment') ? true : undefined,
    seed: intOpt(values, 'seed', 0),
    limit: intOpt(values, 'limit'),
    valSize: intOpt(values, 'val-size', 0),
  };
}

function describe(c: MnistConfig, params: number): string {
  const opt = c.optimizer === 'sgd' ? `sgd lr ${c.lr} momentum ${c.momentum}${c.nesterov ? ' (Nesterov)' : ''}` : `${c.optimizer} lr ${c.lr}`;
  return `${c.model} (${thousands(params)} parameters), ${c.epochs} epochs, batch ${c.batchSize}, ${opt}`
    + `${c.weightDecay ? `, weight decay ${c.weightDecay}` : ''}, ${c.schedule} schedule${c.augment ? ', augmented' : ''}, seed ${c.seed}`;
}

/** Prints the end-of-run summary. */
export function printTrainSummary(r: TrainMnistResult): void {
  const last = r.history[r.history.length - 1];
  if (last && last.valAcc !== null) console.log(`validation accuracy ${percent(last.valAcc)} (best ${percent(Math.max(...r.history.map((h) => h.valAcc ?? 0)))})`);
  console.log(`test accuracy ${percent(r.testAcc)} (${thousands(r.testSamples)} test images), test loss ${r.testLoss.toFixed(4)}`);
  if (r.testAccTta !== null) console.log(`test accuracy with test-time augmentation (${r.ttaCopies} copies) ${percent(r.testAccTta)}`);
  console.log(`wall time ${formatDuration(r.seconds)} (${r.seconds.toFixed(1)} s, ${r.epochsRun} epoch${r.epochsRun === 1 ? '' : 's'} run, backend ${getBackendName()})`);
  const written = [r.files.weights, r.files.best, r.files.checkpoint, r.files.metrics, r.files.curves].filter((f): f is string => f !== null);
  console.log(`wrote ${written.join(', ')}`);
}

/** Runs `glubina train` with the arguments after the command name. Returns the exit code. */
export async function trainCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('train', argv, SPECS);
  if (flag(values, 'help')) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  const [dataset, ...extra] = positionals;
  if (dataset !== 'mnist') {
    throw new CliError(dataset === undefined ? "which data set? 'glubina train mnist …' (MNIST is the one data set)" : `unknown data set '${dataset}' (known: mnist)`, 2);
  }
  if (extra.length) throw new CliError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((e) => `'${e}'`).join(' ')}`, 2);
  const model = choiceOpt(values, 'model', MNIST_MODELS) as MnistModelName | undefined;
  const resume = flag(values, 'resume');
  const out = stringOpt(values, 'out') ?? join('runs', `mnist-${model ?? 'lenet'}`);
  const overrides = overridesFrom(values);
  console.log(`glubina train mnist → ${out}${resume ? ' (resuming)' : ''}`);
  const result = await trainMnist({
    model: resume ? model : (model ?? 'lenet'),
    overrides, out, resume,
    plot: !flag(values, 'no-plot'),
    tta: intOpt(values, 'tta', 0),
    onStart: (c, params, sizes, resumedEpoch) => {
      console.log(describe(c, params));
      if (resumedEpoch !== null) console.log(`resuming after epoch ${resumedEpoch} of ${c.epochs}`);
      console.log(`data: ${thousands(sizes.train)} training / ${thousands(sizes.validation)} validation / ${thousands(sizes.test)} test images; backend ${getBackendName()}`);
    },
  });
  printTrainSummary(result);
  return 0;
}
