/**
 * `glubina inspect`: looking inside a trained MNIST classifier. Writes two PNG grids: the test
 * images that most activate each chosen filter of a layer, and the class-model image of each
 * digit (gradient ascent on the input). Without `--weights` it first trains the model on MNIST.
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed } from '../core/random.js';
import { fromTypedArray } from '../core/creation.js';
import { cat, stack } from '../ops/join.js';
import { indexSelect } from '../ops/indexing.js';
import { loadMnist } from '../data/mnist.js';
import { create, list, type ZooModel } from '../models/registry.js';
import { loadWeights, saveWeights } from '../models/weights.js';
import { saveImageGrid } from '../report/image.js';
import { accuracy, fit } from '../transfer/fit.js';
import { classModel } from './class_model.js';
import { topActivatingImages, type ChannelTop } from './top_activations.js';

/** What {@link runInspect} did. */
export interface InspectSummary {
  model: string;
  /** The weights used (written here when the model was trained first). */
  weights: string;
  /** Test accuracy of the freshly trained model (null when weights were given). */
  testAccuracy: number | null;
  layer: string;
  tops: ChannelTop[];
  /** PNG of the top images: one row per channel, best first. */
  topFile: string;
  /** Final class score S_c of each class model. */
  classScores: { classIndex: number; score: number }[];
  /** PNG of the class models, one per class. */
  classFile: string;
}

/** The usage text of `glubina inspect`. */
export const INSPECT_USAGE = `usage: glubina inspect [options]
  --model NAME        a zoo model built for MNIST (inChannels 1, 10 classes): lenet5 (default), resnet20, plainNet20…
  --weights FILE      its weights (safetensors); without them the model is first trained on MNIST
  --train-steps N     training steps (batch 64, Adam) when there are no weights (default 600)
  --layer PATH        the layer whose filters are ranked (default features.4 for lenet5: C3 after tanh; layer2 for ResNets)
  --channels LIST     filters to show, e.g. 0-5 or 0,3,7 (default 0-5)
  --k N               top images per filter (default 8)
  --images N          MNIST test images searched (default 2000)
  --reduce mean|max   score of an image: mean or max of the filter's map (default mean)
  --classes LIST      digits to visualise (default 0-9)
  --steps N           gradient-ascent steps per class (default 200)
  --lr X              step size (default 1)
  --lambda X          L2 weight λ in S_c(I) − λ‖I‖² (default 0.01)
  --seed N            seed (default 0)
  --out DIR           output folder (default inspect-out)`;

/** Parses `0-5`, `0,3,7` or `2`. */
function parseList(flag: string, text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`glubina inspect: ${flag} must be a list like 0-5 or 0,3,7, got '${text}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function parseArgs(args: readonly string[]): Map<string, string> {
  const known = new Set(['model', 'weights', 'train-steps', 'layer', 'channels', 'k', 'images', 'reduce', 'classes', 'steps', 'lr', 'lambda', 'seed', 'out']);
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const key = a.startsWith('--') ? a.slice(2) : '';
    if (!known.has(key)) throw new Error(`glubina inspect: unknown argument '${a}'\n${INSPECT_USAGE}`);
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`glubina inspect: ${a} needs a value`);
    out.set(key, v);
    i++;
  }
  return out;
}

function num(opts: Map<string, string>, key: string, fallback: number): number {
  const v = opts.get(key);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`glubina inspect: --${key} must be a number, got '${v}'`);
  return x;
}

/**
 * Runs `glubina inspect` with its command-line arguments (after the word `inspect`); see
 * {@link INSPECT_USAGE}. Prints what it does through `log` and returns a summary.
 * @example runInspect(['--channels', '0-3', '--out', 'out']) // trains LeNet-5, then writes out/top_activations.png and out/class_models.png
 */
export function runInspect(args: readonly string[], log: (line: string) => void = console.log): InspectSummary {
  const opts = parseArgs(args);
  const name = opts.get('model') ?? 'lenet5';
  if (!list().includes(name)) throw new Error(`glubina inspect: unknown model '${name}'; known: ${list().join(', ')}`);
  const seed = num(opts, 'seed', 0);
  const outDir = opts.get('out') ?? 'inspect-out';
  mkdirSync(outDir, { recursive: true });
  manualSeed(seed);
  const model: ZooModel = create(name, { inChannels: 1, numClasses: 10, inputSize: 28 });
  const test = loadMnist('test', { limit: num(opts, 'images', 2000) });
  let weights = opts.get('weights');
  let testAccuracy: number | null = null;
  if (weights !== undefined) {
    if (!existsSync(weights)) throw new Error(`glubina inspect: --weights ${weights}: no such file`);
    loadWeights(model, weights);
    log(`loaded ${weights}`);
  } else {
    const steps = num(opts, 'train-steps', 600);
    const train = loadMnist('train', { limit: 20000 });
    const t0 = performance.now();
    fit(model, train.images, train.labels, { steps, batchSize: 64, seed });
    testAccuracy = accuracy(model, test.images, test.labels);
    weights = join(outDir, `${name}_mnist.safetensors`);
    saveWeights(model, weights);
    log(`trained ${name} on MNIST for ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s: test accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.labels.shape[0]} images; weights in ${weights}`);
  }
  model.eval();

  const layer = opts.get('layer') ?? (name === 'lenet5' ? 'features.4' : 'layer2');
  const reduce = (opts.get('reduce') ?? 'mean') as 'mean' | 'max';
  const k = num(opts, 'k', 8);
  const tops = topActivatingImages(model, layer, test.images, { channels: parseList('--channels', opts.get('channels') ?? '0-5'), k, reduce });
  const picked = tops.map((t) => indexSelect(test.images, 0, fromTypedArray(Int32Array.from(t.indices), [t.indices.length])));
  const topFile = join(outDir, 'top_activations.png');
  saveImageGrid(cat(picked, 0), topFile, { nrow: k, scale: 2, padValue: 0.5 });
  log(`${topFile}: the ${k} of ${test.labels.shape[0]} test images with the highest ${reduce} activation of ${layer}, channels ${tops.map((t) => t.channel).join(', ')} (one row each)`);
  const labels = test.labels.dataSync();
  for (const t of tops) log(`  channel ${t.channel}: digits ${t.indices.map((i) => labels[i]).join(' ')}  (scores ${t.scores[0].toFixed(3)} … ${t.scores[t.scores.length - 1].toFixed(3)})`);

  const classes = parseList('--classes', opts.get('classes') ?? '0-9');
  const steps = num(opts, 'steps', 200);
  const lr = num(opts, 'lr', 1);
  const lambda = num(opts, 'lambda', 0.01);
  const images = [];
  const classScores: { classIndex: number; score: number }[] = [];
  for (const c of classes) {
    manualSeed(seed + c);
    const r = classModel(model, c, { steps, lr, lambda });
    images.push(r.image.reshape(1, 28, 28));
    classScores.push({ classIndex: c, score: r.scores[r.scores.length - 1] });
  }
  const classFile = join(outDir, 'class_models.png');
  saveImageGrid(stack(images, 0), classFile, { nrow: Math.min(classes.length, 10), scale: 3, normalize: true, scaleEach: true, padValue: 1 });
  log(`${classFile}: class models argmax_I S_c(I) − ${lambda}·‖I‖² after ${steps} steps (lr ${lr}), classes ${classes.join(', ')}`);
  log(`  final scores: ${classScores.map((s) => `${s.classIndex}: ${s.score.toFixed(1)}`).join(', ')}`);
  return { model: name, weights, testAccuracy, layer, tops, topFile, classScores, classFile };
}
