/**
 * `glubina predict --checkpoint FILE image.png …`: the digit in each picture, with the class
 * probabilities. Any PNG is turned into a 28×28 MNIST-like image first (see `toMnistImage`).
 * @module
 */
import { existsSync } from 'node:fs';
import { stack } from '../../ops/join.js';
import { softmax } from '../../ops/activation.js';
import { noGrad } from '../../core/grad_mode.js';
import { tidy } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import { Normalize } from '../../data/transforms/normalize.js';
import { readImage, saveImage } from '../../report/image.js';
import { toMnistImage } from '../../apps/mnist/preprocess.js';
import { loadMnistModel } from '../../apps/mnist/saved.js';
import { CliError, flag, helpText, parseCommand, percent, stringOpt, type OptionSpecs } from './args.js';

const SPECS: OptionSpecs = {
  checkpoint: { type: 'string', arg: 'FILE', help: 'weights or checkpoint of a trained MNIST run' },
  json: { type: 'boolean', help: 'print one JSON object per image instead of text' },
  'save-input': { type: 'string', arg: 'FILE', help: 'also save the 28×28 image the model saw (one image only)' },
  'no-invert': { type: 'boolean', help: 'never invert (by default a light background is inverted to MNIST\'s dark one)' },
};

/** The help of `glubina predict`. */
export const PREDICT_HELP = helpText(
  'glubina predict --checkpoint FILE image.png [more.png …]',
  'Reads each PNG (any size, colour or grey), converts it to a 28×28 grey digit like MNIST\'s\n(light background inverted, digit scaled to 20×20 and centred by mass), and prints the predicted\ndigit with the probabilities of all ten.',
  SPECS,
);

/** One image's prediction. */
export interface Prediction {
  file: string;
  digit: number;
  probabilities: number[];
}

/** Runs `glubina predict`. Returns the exit code. */
export function predictCommand(argv: readonly string[]): number {
  const { values, positionals } = parseCommand('predict', argv, SPECS);
  if (flag(values, 'help')) {
    process.stdout.write(PREDICT_HELP);
    return 0;
  }
  const path = stringOpt(values, 'checkpoint');
  if (!path) throw new CliError('give the model: --checkpoint FILE (e.g. runs/mnist-lenet/model.safetensors)', 2);
  if (positionals.length === 0) throw new CliError('give at least one PNG image to read', 2);
  const saveInput = stringOpt(values, 'save-input');
  if (saveInput && positionals.length > 1) throw new CliError('--save-input takes one image only', 2);
  for (const f of positionals) if (!existsSync(f)) throw new CliError(`${f}: no such file`);
  const { model, config } = loadMnistModel(path);
  const normalize = new Normalize(config.mean, config.std);
  const images = positionals.map((f) => {
    try {
      return toMnistImage(readImage(f, { mode: 'L', background: 1 }), { invert: flag(values, 'no-invert') ? false : 'auto' });
    } catch (e) {
      throw new CliError((e as Error).message.startsWith('readImage') ? (e as Error).message : `${f}: ${(e as Error).message}`);
    }
  });
  if (saveInput) saveImage(images[0], saveInput);
  const probs = tidy(() => noGrad(() => {
    const x: Tensor = normalize.apply(stack(images, 0));
    return softmax(model.call(x), 1).dataSync();
  }));
  const predictions: Prediction[] = positionals.map((file, i) => {
    const p = Array.from(probs.subarray(i * 10, (i + 1) * 10));
    return { file, digit: p.indexOf(Math.max(...p)), probabilities: p };
  });
  for (const p of predictions) {
    if (flag(values, 'json')) {
      console.log(JSON.stringify({ file: p.file, digit: p.digit, probabilities: p.probabilities.map((v) => Number(v.toFixed(6))) }));
    } else {
      console.log(`${p.file}: ${p.digit} (${percent(p.probabilities[p.digit])})`);
      console.log(`  ${p.probabilities.map((v, d) => `${d}: ${percent(v)}`).join('  ')}`);
    }
  }
  return 0;
}
