/**
 * `glubina eval --checkpoint FILE`: test-set accuracy of a trained MNIST model.
 * @module
 */
import { getBackendName } from '../../core/backend.js';
import { DataLoader } from '../../data/dataloader.js';
import { TensorDataset } from '../../data/dataset.js';
import { loadMnist } from '../../data/mnist.js';
import { Normalize } from '../../data/transforms/normalize.js';
import type { Tensor } from '../../core/tensor.js';
import { TransformedLoader } from '../../apps/mnist/data.js';
import { ttaAccuracy } from '../../apps/mnist/tta.js';
import { loadMnistModel } from '../../apps/mnist/saved.js';
import { CrossEntropyLoss } from '../../nn/modules/loss.js';
import { evaluate } from '../../train/fit.js';
import { ConfusionMatrix, type Metric } from '../../train/metrics.js';
import { CliError, flag, helpText, intOpt, parseCommand, percent, stringOpt, thousands, type OptionSpecs } from './args.js';

const SPECS: OptionSpecs = {
  checkpoint: { type: 'string', arg: 'FILE', help: 'weights (model.safetensors, best.safetensors) or checkpoint.safetensors of a run' },
  limit: { type: 'string', arg: 'N', help: 'evaluate only the first N test images' },
  'batch-size': { type: 'string', arg: 'B', help: 'evaluation batch size (default 250)' },
  tta: { type: 'string', arg: 'N', help: 'also report test-time augmentation: the mean prediction over N copies (the original and N−1 randomly warped ones)' },
  seed: { type: 'string', arg: 'S', help: 'seed of the test-time augmentation (default 0)' },
};

/** The help of `glubina eval`. */
export const EVAL_HELP = helpText('glubina eval --checkpoint FILE [--limit N] [--tta N]', 'Evaluates a trained MNIST model on the 10,000 test images: accuracy, loss, per-digit accuracy.', SPECS);

/** A confusion matrix fed by `evaluate` as one of its metrics. */
class ConfusionMetric implements Metric {
  readonly name = 'confusion';
  readonly higherIsBetter = true;
  constructor(readonly matrix: ConfusionMatrix) {}
  reset(): void {}
  update(output: Tensor, target: Tensor): void {
    this.matrix.update(output, target);
  }
  compute(): number {
    return NaN;
  }
}

/** Runs `glubina eval`. Returns the exit code. */
export function evalCommand(argv: readonly string[]): number {
  const { values, positionals } = parseCommand('eval', argv, SPECS);
  if (flag(values, 'help')) {
    process.stdout.write(EVAL_HELP);
    return 0;
  }
  if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}'`, 2);
  const path = stringOpt(values, 'checkpoint');
  if (!path) throw new CliError("give the model to evaluate: --checkpoint FILE (e.g. runs/mnist-lenet/model.safetensors)", 2);
  const limit = intOpt(values, 'limit');
  const batchSize = intOpt(values, 'batch-size') ?? 250;
  const { model, config, epoch } = loadMnistModel(path);
  const test = loadMnist('test', { limit });
  const loader = new TransformedLoader(new DataLoader(new TensorDataset(test.images, test.labels), { batchSize }), new Normalize(config.mean, config.std));
  const confusion = new ConfusionMatrix(10);
  const r = evaluate(model, loader, { loss: new CrossEntropyLoss(), metrics: ['acc', new ConfusionMetric(confusion)] });
  console.log(`model: ${config.model} (${thousands(model.numParameters())} parameters)${epoch !== null ? `, trained ${epoch} epoch${epoch === 1 ? '' : 's'}` : ''}, from ${path}`);
  console.log(`test accuracy ${percent(r.metrics.acc)} (${thousands(r.samples)} images, ${thousands(Math.round((1 - r.metrics.acc) * r.samples))} errors), loss ${(r.loss ?? NaN).toFixed(4)}, ${r.seconds.toFixed(1)} s on ${getBackendName()}`);
  const perDigit = confusion.perClassAccuracy();
  console.log(`per digit: ${perDigit.map((a, d) => `${d}: ${Number.isNaN(a) ? '—' : percent(a)}`).join('  ')}`);
  const copies = intOpt(values, 'tta');
  if (copies !== undefined && copies > 1) {
    const t = ttaAccuracy(model, test.images, test.labels, { copies, batchSize, seed: intOpt(values, 'seed', 0) ?? 0, mean: config.mean, std: config.std });
    console.log(`test accuracy with test-time augmentation (${copies} copies) ${percent(t.acc)} (${thousands(Math.round((1 - t.acc) * r.samples))} errors), ${t.seconds.toFixed(1)} s`);
  }
  return 0;
}
