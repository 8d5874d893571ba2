/**
 * `glubina summary --model NAME`: a Keras-style table of a model's layers, output shapes and
 * parameter counts, for the MNIST models and every model of the zoo.
 * @module
 */
import { summary } from '../../analysis/summary.js';
import type { AnyModule } from '../../nn/module.js';
import { create, list } from '../../models/registry.js';
import { skipInit } from '../../models/skip_init.js';
import { buildMnistModel, MNIST_MODELS, type MnistModelName } from '../../apps/mnist/models.js';
import { CliError, flag, helpText, intOpt, parseCommand, stringOpt, type OptionSpecs } from './args.js';

const SPECS: OptionSpecs = {
  model: { type: 'string', arg: 'NAME', help: `${MNIST_MODELS.join(', ')} (the MNIST models) or a zoo model: lenet5, resnet18, vgg16_bn, …` },
  input: { type: 'string', arg: 'C,H,W', help: 'input shape of one sample (default 1,28,28 for the MNIST models, 3,224,224 or 3,32,32 for the zoo)' },
  classes: { type: 'string', arg: 'K', help: 'output classes of a zoo model (its default otherwise)' },
  depth: { type: 'string', arg: 'D', help: 'deepest nesting level to list (default: all)' },
};

/** The help of `glubina summary`. */
export const SUMMARY_HELP = helpText('glubina summary --model NAME [--input C,H,W] [--depth D]', 'Prints each layer\'s output shape and parameter count, and the totals.', SPECS);

/** Zoo models designed for 32×32 input (LeNet-5 and the CIFAR ResNets). */
function defaultSide(name: string): number {
  return /^(lenet5|resnet(20|32|44|56)|plainnet)/i.test(name) ? 32 : 224;
}

function parseShape(s: string): number[] {
  const dims = s.split(/[,x×]/).map((d) => Number(d.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new CliError(`--input must be positive integers such as 3,224,224, got '${s}'`, 2);
  }
  return dims;
}

/** Runs `glubina summary`. Returns the exit code. */
export function summaryCommand(argv: readonly string[]): number {
  const { values, positionals } = parseCommand('summary', argv, SPECS);
  if (flag(values, 'help')) {
    process.stdout.write(SUMMARY_HELP);
    return 0;
  }
  const name = stringOpt(values, 'model') ?? positionals[0];
  if (!name) throw new CliError(`give a model: --model NAME (${MNIST_MODELS.join(', ')}, ${list().join(', ')})`, 2);
  const inputOpt = stringOpt(values, 'input');
  const depth = intOpt(values, 'depth');
  const classes = intOpt(values, 'classes');
  let model: AnyModule;
  let input: number[];
  if ((MNIST_MODELS as readonly string[]).includes(name)) {
    model = buildMnistModel(name as MnistModelName) as unknown as AnyModule;
    input = inputOpt ? parseShape(inputOpt) : [1, 28, 28];
  } else {
    const known = new Set(list().map((n) => n.toLowerCase()));
    if (!known.has(name.toLowerCase().replace(/bn$/, '_bn'))) {
      throw new CliError(`unknown model '${name}'; known: ${[...MNIST_MODELS, ...list()].join(', ')}`, 2);
    }
    const key = list().find((n) => n.toLowerCase() === name.toLowerCase().replace(/bn$/, '_bn')) ?? name;
    // Only shapes matter here: skip the (slow, for big models) random initialisation.
    const zoo = skipInit(() => create(key, classes ? { numClasses: classes } : {}));
    model = zoo as unknown as AnyModule;
    const side = defaultSide(key);
    input = inputOpt ? parseShape(inputOpt) : [zoo.inChannels, side, side];
  }
  model.eval();
  try {
    console.log(summary(model, input, depth ? { depth } : {}));
  } catch (e) {
    throw new CliError(`${name} with input [${input.join(',')}]: ${(e as Error).message}`);
  }
  return 0;
}
