/**
 * Transfer learning with few labels: a LeNet-5 learns digits 0–4 from plenty of images; its
 * features then serve digits 5–9, of which only a few hundred are labelled.
 *
 * 1. Pretrain LeNet-5 (28×28 input, 5 classes) on digits 0–4.
 * 2. Transfer, three ways, on the few labelled images of digits 5–9:
 *    a. freeze everything, a new output layer (`transfer.replaceHead(net, 5)`): a linear classifier
 *       on the 84 F6 features;
 *    b. freeze the convolutional features (C1–C5, `transfer.freeze(net.features)`) and train a new
 *       classifier (F6 + output) on their 120 outputs;
 *    c. a new output layer, and every layer fine-tuned from the pretrained weights (smaller lr).
 * 3. Baseline: the same LeNet-5 from scratch, trained on the same few images for as many steps.
 * Reported: test accuracy on every test image of digits 5–9. The deeper the frozen part, the more
 * specific to digits 0–4 its features are (Yosinski et al. 2014): F6 alone transfers worst.
 *
 * Run: `npm run example:transfer` or, after `npx tsc -p .`,
 * `node dist/examples/transfer_mnist.js [--labels 300] [--pretrain-steps 800] [--steps 300] [--seed 0]`
 * @module
 */
import { pathToFileURL } from 'node:url';
import { data, fromTypedArray, indexSelect, manualSeed, models, nn, transfer, type Tensor } from '../src/index.js';

/** Settings of {@link runTransfer}. */
export interface TransferOptions {
  /** Labelled images of digits 5–9 for the new task (default 300). */
  labels?: number;
  /** Pretraining steps on digits 0–4, batch 64 (default 800). */
  pretrainSteps?: number;
  /** Training steps on the few labelled images, batch 32 (default 300). */
  steps?: number;
  /** Seed (default 0). */
  seed?: number;
  /** MNIST training images read (default 30000; digits 0–4 are about half). */
  trainImages?: number;
  /** MNIST test images read (default all 10000). */
  testImages?: number;
}

/** The accuracies on the test images of digits 5–9 (and 0–4 for the pretrained net). */
export interface TransferResult {
  pretrainedAccuracy04: number;
  /** a: frozen network, new output layer. */
  headOnly: number;
  /** b: frozen convolutional features, new classifier. */
  frozenFeatures: number;
  /** c: new output layer, everything fine-tuned. */
  fineTuned: number;
  scratch: number;
  labelled: number;
  testImages: number;
}

/** The images whose label is in [lo, hi], relabelled 0…hi−lo; the first `limit` of them. */
function digits(set: data.Mnist, lo: number, hi: number, limit = Infinity): { images: Tensor; labels: Tensor } {
  const labels = set.labels.dataSync();
  const keep: number[] = [];
  for (let i = 0; i < labels.length && keep.length < limit; i++) if (labels[i] >= lo && labels[i] <= hi) keep.push(i);
  const index = fromTypedArray(Int32Array.from(keep), [keep.length]);
  return { images: indexSelect(set.images, 0, index), labels: indexSelect(set.labels, 0, index).sub(lo).to('int32') };
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

/** Runs the three trainings and prints the accuracies. */
export function runTransfer(options: TransferOptions = {}, log: (line: string) => void = console.log): TransferResult {
  const nLabels = options.labels ?? 300;
  const pretrainSteps = options.pretrainSteps ?? 800;
  const steps = options.steps ?? 300;
  const seed = options.seed ?? 0;
  const train = data.loadMnist('train', { limit: options.trainImages ?? 30000 });
  const test = data.loadMnist('test', { limit: options.testImages });
  const a = digits(train, 0, 4);
  const aTest = digits(test, 0, 4);
  // The first `nLabels` training images of digits 5–9 are the only labels of the new task.
  const b = digits(train, 5, 9, nLabels);
  const bTest = digits(test, 5, 9);
  const build = (): models.LeNet5 => models.lenet5({ inputSize: 28, numClasses: 5 });

  let t0 = performance.now();
  manualSeed(seed);
  const pretrained = build();
  transfer.fit(pretrained, a.images, a.labels, { steps: pretrainSteps, batchSize: 64, seed });
  const pretrainedAccuracy04 = transfer.accuracy(pretrained, aTest.images, aTest.labels);
  log(`pretrained LeNet-5 on ${a.labels.shape[0]} images of digits 0–4 (${pretrainSteps} steps): test accuracy on 0–4 ${pct(pretrainedAccuracy04)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  log(`new task: digits 5–9 with ${b.labels.shape[0]} labelled images; test on all ${bTest.labels.shape[0]} test images of 5–9`);

  const copy = (): models.LeNet5 => {
    const net = build();
    net.loadStateDict(pretrained.stateDict());
    return net;
  };
  const run = (label: string, net: models.LeNet5, lr: number): number => {
    t0 = performance.now();
    transfer.fit(net, b.images, b.labels, { steps, batchSize: 32, lr, seed: seed + 1 });
    const acc = transfer.accuracy(net, bTest.images, bTest.labels);
    log(`  ${label.padEnd(46)} ${pct(acc).padStart(6)}  (${net.numParameters({ trainableOnly: true }).toLocaleString('en')} trainable parameters, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    return acc;
  };

  // a. The whole network frozen, a new output layer on the F6 features.
  const a1 = transfer.freeze(copy());
  transfer.replaceHead(a1, 5);
  const headOnly = run('a. frozen LeNet-5, new output layer', a1, 1e-2);
  // b. The convolutional features frozen, a new classifier (F6 + output) on their 120 outputs.
  const b1 = copy();
  transfer.freeze(b1.features);
  transfer.replaceHead(b1, new nn.Sequential(new nn.Linear(120, 84), new nn.Tanh(), new nn.Linear(84, 5)), { path: 'classifier' });
  const frozenFeatures = run('b. frozen C1–C5, new classifier F6 + output', b1, 3e-3);
  // c. A new output layer, every layer fine-tuned (a smaller step keeps the pretrained features).
  const c1 = copy();
  transfer.replaceHead(c1, 5);
  const fineTuned = run('c. new output layer, all layers fine-tuned', c1, 1e-3);
  // Baseline: everything learnt from the few images.
  manualSeed(seed + 2);
  const scratch = run('from scratch on the same images', build(), 3e-3);
  const best = Math.max(headOnly, frozenFeatures, fineTuned);
  log(`With ${b.labels.shape[0]} labels, the best transfer reaches ${pct(best)} against ${pct(scratch)} from scratch (${best > scratch ? '+' : ''}${(100 * (best - scratch)).toFixed(1)} points).`);
  return { pretrainedAccuracy04, headOnly, frozenFeatures, fineTuned, scratch, labelled: b.labels.shape[0], testImages: bTest.labels.shape[0] };
}

function argValue(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`transfer example: ${flag} needs a number, got '${args[i + 1]}'`);
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  runTransfer({
    labels: argValue(args, '--labels', 300), pretrainSteps: argValue(args, '--pretrain-steps', 800),
    steps: argValue(args, '--steps', 300), seed: argValue(args, '--seed', 0),
  });
}
