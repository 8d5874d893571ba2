/**
 * Test-time augmentation for the MNIST models: the mean prediction over the image and warped
 * copies of it, drawn from the training augmentation.
 * @module
 */
import { tidy, dispose } from '../../core/memory.js';
import { Generator } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import { DataLoader } from '../../data/dataloader.js';
import { TensorDataset } from '../../data/dataset.js';
import { Normalize } from '../../data/transforms/normalize.js';
import { tta } from '../../data/transforms/tta.js';
import { eq } from '../../ops/elementwise.js';
import { argmax, sum } from '../../ops/reduce.js';
import { mnistAugmentation } from './data.js';
import type { MnistModel } from './models.js';

/** Options of {@link ttaAccuracy}. */
export interface TtaAccuracyOptions {
  /** Predictions averaged per image: the image itself and `copies − 1` warps. */
  copies: number;
  /** Normalisation of the model's input. */
  mean: number;
  std: number;
  /** Images per batch (default 250). */
  batchSize?: number;
  /** Seed of the warps (default 0). */
  seed?: number;
}

/**
 * Accuracy of the mean softmax over `copies` versions of each image: the image itself and
 * `copies − 1` random warps from the training augmentation ({@link mnistAugmentation}), applied to
 * the raw [0, 1] images and then normalised. `images` are raw [N,1,28,28], `labels` int32 [N].
 */
export function ttaAccuracy(model: MnistModel, images: Tensor, labels: Tensor, o: TtaAccuracyOptions): { acc: number; seconds: number } {
  const t0 = performance.now();
  const normalize = new Normalize(o.mean, o.std);
  const warp = mnistAugmentation(new Generator(o.seed ?? 0));
  const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: o.batchSize ?? 250 });
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  let total = 0;
  try {
    for (const [x, y] of loader) {
      const probs = tta((xa) => model.call(normalize.apply(xa)), x, warp, o.copies);
      correct += tidy(() => sum(eq(argmax(probs, 1), y)).item());
      total += y.shape[0];
      dispose([x, y, probs]);
    }
  } finally {
    model.train(wasTraining);
  }
  return { acc: correct / total, seconds: (performance.now() - t0) / 1000 };
}
