#!/usr/bin/env node
/**
 * The `glubina` command line: train, eval, predict, summary, demo. With no command it runs the
 * main job (LeNet-5 on MNIST).
 * @module
 */
import '../index.js';
import { runSeparability } from '../apps/separability.js';
import { CliError } from './commands/args.js';
import { evalCommand } from './commands/eval.js';
import { mainJobCommand } from './commands/main_job.js';
import { predictCommand } from './commands/predict.js';
import { summaryCommand } from './commands/summary.js';
import { trainCommand } from './commands/train.js';
import { INSPECT_USAGE, runInspect } from '../inspect/index.js';

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function mainJob(): void {
  const t0 = performance.now();
  console.log('glubina: can a straight line separate these points? (test accuracy, 400 held-out points)\n');
  console.log('data set    linear model   one hidden ReLU layer (32 units)');
  for (const r of runSeparability()) {
    console.log(`${r.dataset.padEnd(11)} ${pct(r.linearTest).padStart(12)}   ${pct(r.hiddenTest).padStart(10)}`);
  }
  console.log(`\nA linear model cannot separate them; one hidden layer can. (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const HELP = `usage: glubina [command] [options]

commands:
  (none)     the main job: train LeNet-5 on MNIST to ≥ 99.0% test accuracy (runs/mnist-lenet/)
  train      train mnist --model mlp|lenet|cnn [--epochs N] [--augment] [--out DIR] [--resume] …
  eval       eval --checkpoint FILE: test accuracy of a trained model
  predict    predict --checkpoint FILE image.png …: the digit in each picture
  summary    summary --model NAME: layers, output shapes, parameters
  inspect    inspect [--weights FILE] …: images that most excite filters, class-model pictures (PNG)
  demo       the toy demo: linear model vs one hidden layer on two moons and XOR

'glubina <command> --help' describes a command's options.
`;

/** Runs a command; user errors print as one line (no stack trace) and set a non-zero exit code. */
async function run(command: string, fn: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    const err = e as Error;
    const code = err instanceof CliError ? err.exitCode : 1;
    // Library errors often start with the command's own name ('train: …'): say it once.
    const message = err.message.startsWith(`${command}: `) ? err.message.slice(command.length + 2) : err.message;
    console.error(`glubina ${command}: ${message}`);
    if (process.env.GLUBINA_DEBUG) console.error(err.stack);
    process.exitCode = code;
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'demo') {
  mainJob();
} else if (command === undefined) {
  await run('main job', mainJobCommand);
} else if (command === 'train') {
  await run('train', () => trainCommand(rest));
} else if (command === 'eval') {
  await run('eval', () => evalCommand(rest));
} else if (command === 'predict') {
  await run('predict', () => predictCommand(rest));
} else if (command === 'summary') {
  await run('summary', () => summaryCommand(rest));
} else if (command === 'inspect') {
  if (rest.includes('--help')) process.stdout.write(INSPECT_USAGE);
  else await run('inspect', () => (runInspect(rest), 0));
} else if (command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(HELP);
} else {
  console.error(`glubina: unknown command '${command}'. Commands: train, eval, predict, summary, inspect, demo (see 'glubina --help')`);
  process.exit(2);
}
