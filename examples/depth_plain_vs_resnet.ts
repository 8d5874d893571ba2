/**
 * The depth claim, measured (He et al. 2016, Figures 1 and 6): a deep plain CNN trains worse than
 * a shallower one — its *training* loss is higher, so it is not overfitting but harder to optimise
 * — while the same network with skip connections trains well.
 *
 * Two twins with the same layers, the same parameters and the same initial weights, trained on
 * MNIST with the same minibatches: a CIFAR-style ResNet of 6n + 2 layers (3×3 convs with
 * BatchNorm, option-A shortcuts) and its plain twin (models.plainNet: the shortcuts removed).
 * Reported: the mean training loss over the last quarter of the steps and the test accuracy.
 *
 * Run: `npm run example:depth` or, after `npx tsc -p .`,
 * `node dist/examples/depth_plain_vs_resnet.js [--depth 20] [--width 8] [--steps 300] [--batch 32] [--size 14] [--seed 0]`
 * (`--size 14` trains on the digits halved to 14×14 by 2×2 average pooling, which keeps the run to
 * a few minutes on two cores; `--size 28` uses them as they are.)
 * @module
 */
import { pathToFileURL } from 'node:url';
import { data, functional as F, manualSeed, models, transfer, type Tensor } from '../src/index.js';

/** Settings of {@link runDepth}. */
export interface DepthOptions {
  /** Weighted layers, 6n + 2 (default 20; 32 or 56 widen the gap). */
  depth?: number;
  /** Planes of the first stage (default 8; the paper's 16). */
  width?: number;
  /** SGD steps (default 300). */
  steps?: number;
  /** Minibatch size (default 32). */
  batch?: number;
  /** Input side: 28 or 14 (default 14). */
  size?: number;
  /** Seed of the initial weights and of the minibatches (default 0). */
  seed?: number;
  /** Training images used (default 20000). */
  trainImages?: number;
  /** Test images used (default 2000). */
  testImages?: number;
}

/** One network's result. */
export interface DepthResult {
  name: string;
  /** Mean training loss over the last quarter of the steps. */
  finalLoss: number;
  /** Loss of every step. */
  losses: number[];
  testAccuracy: number;
  seconds: number;
}

/** MNIST scaled to [0, 1], optionally halved to 14×14. */
function mnist(split: 'train' | 'test', limit: number, size: number): { images: Tensor; labels: Tensor } {
  const { images, labels } = data.loadMnist(split, { limit });
  return { images: size === 14 ? F.avgPool2d(images, 2) : images, labels };
}

/** Trains the ResNet and its plain twin of `depth` layers from the same start on the same batches. */
export function runDepth(options: DepthOptions = {}, log: (line: string) => void = console.log): DepthResult[] {
  const depth = options.depth ?? 20;
  const width = options.width ?? 8;
  const steps = options.steps ?? 300;
  const batch = options.batch ?? 32;
  const size = options.size ?? 14;
  const seed = options.seed ?? 0;
  if (size !== 14 && size !== 28) throw new Error(`depth example: --size must be 14 or 28, got ${size}`);
  const train = mnist('train', options.trainImages ?? 20000, size);
  const test = mnist('test', options.testImages ?? 2000, size);
  manualSeed(seed);
  const resnet = models.cifarResNet(depth, { inChannels: 1, numClasses: 10, width });
  const plain = models.plainNet(depth, { inChannels: 1, numClasses: 10, width });
  // The same initial weights: the twins differ only by the shortcuts.
  plain.loadStateDict(resnet.stateDict());
  log(`${depth}-layer twins (width ${width}, ${resnet.numParameters().toLocaleString('en')} parameters each) on MNIST ${size}×${size}: ` +
    `${steps} SGD steps (momentum 0.9, lr 0.05), batch ${batch}, seed ${seed}`);
  const results: DepthResult[] = [];
  for (const [name, net] of [[`plainNet${depth}`, plain], [`resnet${depth}`, resnet]] as const) {
    const t0 = performance.now();
    const losses = transfer.fit(net, train.images, train.labels, {
      steps, batchSize: batch, optimizer: 'sgd', lr: 0.05, seed,
      onStep: (step, loss) => {
        if ((step + 1) % Math.max(1, Math.floor(steps / 6)) === 0) log(`  ${name} step ${step + 1}: loss ${loss.toFixed(4)}`);
      },
    });
    const tail = losses.slice(Math.floor((3 * steps) / 4));
    const finalLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
    const testAccuracy = transfer.accuracy(net, test.images, test.labels);
    const seconds = (performance.now() - t0) / 1000;
    results.push({ name, finalLoss, losses, testAccuracy, seconds });
    log(`${name.padEnd(12)} training loss (mean of the last ${tail.length} steps) ${finalLoss.toFixed(4)}   test accuracy ${(100 * testAccuracy).toFixed(1)}%   (${seconds.toFixed(0)} s)`);
  }
  const [p, r] = results;
  log(p.finalLoss > r.finalLoss
    ? `The plain net's training loss is ${(p.finalLoss / r.finalLoss).toFixed(2)}× the ResNet's: same layers, same start, same data — the skip connections make the deep net trainable.`
    : 'This time the plain net trained as well as the ResNet (try more layers: --depth 56).');
  return results;
}

function argValue(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`depth example: ${flag} needs a number, got '${args[i + 1]}'`);
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  runDepth({
    depth: argValue(args, '--depth', 20), width: argValue(args, '--width', 8), steps: argValue(args, '--steps', 300),
    batch: argValue(args, '--batch', 32), size: argValue(args, '--size', 14), seed: argValue(args, '--seed', 0),
  });
}
