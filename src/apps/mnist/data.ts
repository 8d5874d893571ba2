/**
 * MNIST data for training runs: the seeded train/validation split, loaders that normalise (and,
 * with augmentation, warp) each batch, and the generators a checkpoint must keep to resume.
 * @module
 */
import { Generator } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import { DataLoader } from '../../data/dataloader.js';
import { permutation, Subset, TensorDataset } from '../../data/dataset.js';
import { loadMnist } from '../../data/mnist.js';
import { RandomAffine } from '../../data/transforms/affine.js';
import { Normalize } from '../../data/transforms/normalize.js';
import { Compose, applyTransform, type TransformLike } from '../../data/transforms/transform.js';
import type { Batch } from '../../train/fit.js';
import type { MnistConfig } from './config.js';

/**
 * A DataLoader whose inputs go through a transform, batch by batch (augmentation and
 * normalisation on the CPU, as torchvision's transforms do per item). `samples` tells `fit` the
 * epoch's size for the progress bar.
 */
export class TransformedLoader implements Iterable<Batch> {
  constructor(readonly loader: DataLoader<Tensor[], Tensor[]>, readonly transform: TransformLike) {}

  /** Samples per epoch. */
  get samples(): number {
    const n = this.loader.dataset.length;
    return this.loader.dropLast ? Math.floor(n / this.loader.batchSize) * this.loader.batchSize : n;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (const [x, y] of this.loader) yield [applyTransform(this.transform, x), y];
  }
}

/**
 * The augmentation of the `--augment` recipes: a random affine warp of every training image —
 * rotation ±10°, shift up to ±10% (±2.8 px), zoom 0.9–1.1, shear ±8° — drawn from `generator`.
 * Mild on purpose: larger rotations turn 6s into 9s and 1s into 7s.
 */
export function mnistAugmentation(generator: Generator): RandomAffine {
  return new RandomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 8, generator });
}

/** What {@link mnistData} returns. */
export interface MnistData {
  /** Training batches, shuffled, normalised (and augmented with `augment`). */
  train: TransformedLoader;
  /** Held-out training images (normalised, in order), or null when `valSize` is 0. */
  validation: TransformedLoader | null;
  /** The test set (normalised, in order). */
  test: TransformedLoader;
  /** Generators whose state a checkpoint keeps: the shuffling and the augmentation. */
  generators: Record<string, Generator>;
  /** Sizes of the three parts. */
  sizes: { train: number; validation: number; test: number };
  /** The test images as loaded (pixels in [0, 1], not normalised) and their labels. */
  testSet: { images: Tensor; labels: Tensor };
}

/** The number of held-out validation images for `n` training images. */
export function validationSize(c: Pick<MnistConfig, 'valSize'>, n: number): number {
  const v = c.valSize ?? Math.round(n / 12);
  if (v >= n) throw new Error(`--val-size ${v} leaves no training images out of ${n}`);
  return v;
}

/**
 * Loads MNIST for a run: the first `limit` images of each split; `valSize` training images held
 * out at random (seeded by `seed`); shuffling from a generator seeded `seed + 1` and augmentation
 * from one seeded `seed + 2`, so neither disturbs the default generator (weights, Dropout).
 */
export function mnistData(c: MnistConfig, evalBatchSize = 250): MnistData {
  const limit = c.limit ?? undefined;
  const trainSet = loadMnist('train', { limit });
  const testSet = loadMnist('test', { limit });
  const all = new TensorDataset(trainSet.images, trainSet.labels);
  const n = all.length;
  const nVal = validationSize(c, n);
  const perm = permutation(n, new Generator(c.seed));
  // Sorted indices keep each part in file order, so results do not depend on the split's draw order.
  const valIdx = perm.slice(0, nVal).sort((a, b) => a - b);
  const trainIdx = perm.slice(nVal).sort((a, b) => a - b);
  const normalize = new Normalize(c.mean, c.std);
  const shuffle = new Generator(c.seed + 1);
  const augment = new Generator(c.seed + 2);
  const trainLoader = new DataLoader(new Subset(all, trainIdx), { batchSize: c.batchSize, shuffle: true, generator: shuffle });
  const train = new TransformedLoader(trainLoader, c.augment ? new Compose([mnistAugmentation(augment), normalize]) : normalize);
  const validation = nVal > 0 ? new TransformedLoader(new DataLoader(new Subset(all, valIdx), { batchSize: evalBatchSize }), normalize) : null;
  const test = new TransformedLoader(new DataLoader(new TensorDataset(testSet.images, testSet.labels), { batchSize: evalBatchSize }), normalize);
  return {
    train, validation, test,
    generators: { shuffle, augment },
    sizes: { train: trainIdx.length, validation: nVal, test: testSet.labels.shape[0] },
    testSet,
  };
}
