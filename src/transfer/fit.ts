/**
 * A small supervised training loop and an accuracy measure, enough for the transfer-learning and
 * depth experiments (the course's recipe: minibatch cross-entropy, Adam or SGD with momentum).
 * @module
 */
import { fromTypedArray } from '../core/creation.js';
import { noGrad } from '../core/grad_mode.js';
import { tidy } from '../core/memory.js';
import { Generator } from '../core/random.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { argmax } from '../ops/reduce.js';
import { indexSelect } from '../ops/indexing.js';
import { narrow } from '../ops/view.js';
import type { AnyModule } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { crossEntropy } from '../nn/functional/loss.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { trainableParameters } from './freeze.js';

/** Options of {@link fit}. */
export interface FitOptions {
  /** Optimisation steps (default 100). */
  steps?: number;
  /** Images per step, drawn uniformly with replacement (default 32). */
  batchSize?: number;
  /** 'adam' (default, lr 1e-3) or 'sgd' (momentum 0.9, lr 0.05). */
  optimizer?: 'adam' | 'sgd';
  /** Learning rate (default: the optimiser's, above). */
  lr?: number;
  /** Parameters to train (default: the model's trainable ones, see {@link trainableParameters}). */
  params?: Parameter[];
  /** Seed of the minibatch sampler (default 0). */
  seed?: number;
  /** Called after every step with its index and loss. */
  onStep?: (step: number, loss: number) => void;
}

/** The logits of a model's output (GoogLeNet's `{ logits }` in training mode; the aux heads are ignored). */
function logitsOf(out: unknown): Tensor {
  return (typeof out === 'object' && out !== null && 'logits' in out ? (out as { logits: Tensor }).logits : out) as Tensor;
}

function checkData(op: string, images: Tensor, labels: Tensor): void {
  if (labels.ndim !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${op}: expected labels [N] for images ${fmtShape(images.shape)}, got ${fmtShape(labels.shape)}`);
  }
}

/**
 * Trains `model` (in training mode) on images [N, …] with integer labels [N] by minimising the
 * mean cross-entropy of random minibatches. Returns the loss of every step. Each step runs in a
 * `tidy`, so memory stays flat.
 * @example transfer.fit(net, images, labels, { steps: 300, batchSize: 64 })
 */
export function fit(model: AnyModule, images: Tensor, labels: Tensor, options: FitOptions = {}): number[] {
  checkData('fit', images, labels);
  const steps = options.steps ?? 100;
  const batch = options.batchSize ?? 32;
  const params = options.params ?? trainableParameters(model);
  if (params.length === 0) throw new Error('fit: no trainable parameters (everything is frozen)');
  const opt = options.optimizer === 'sgd'
    ? new SGD(params, { lr: options.lr ?? 0.05, momentum: 0.9 })
    : new Adam(params, { lr: options.lr ?? 1e-3 });
  const gen = new Generator(options.seed ?? 0);
  const n = images.shape[0];
  const all = [...new Set([...model.parameters(), ...params])];
  const losses: number[] = [];
  model.train();
  for (let step = 0; step < steps; step++) {
    const idx = new Int32Array(batch);
    for (let i = 0; i < batch; i++) idx[i] = gen.randint(0, n);
    const loss = tidy(() => {
      // Gradients made in the previous step's tidy were freed with it: drop them rather than zero them
      // (all of them: a parameter outside `params` that requires grad gets one too).
      for (const p of all) p.grad = null;
      const index = fromTypedArray(idx, [batch]);
      const l = crossEntropy(logitsOf(model.call(indexSelect(images, 0, index))), indexSelect(labels, 0, index));
      l.backward();
      opt.step();
      return l.item();
    });
    losses.push(loss);
    options.onStep?.(step, loss);
  }
  for (const p of all) p.grad = null;
  return losses;
}

/** Fraction of images [N, …] whose argmax logit equals the label, in eval mode (the mode is restored). */
export function accuracy(model: AnyModule, images: Tensor, labels: Tensor, batchSize = 500): number {
  checkData('accuracy', images, labels);
  const n = images.shape[0];
  if (n === 0) return NaN;
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      correct += tidy(() => noGrad(() => {
        const pred = argmax(logitsOf(model.call(narrow(images, 0, start, size))), 1);
        return pred.eq(narrow(labels, 0, start, size)).sum().item();
      }));
    }
  } finally {
    model.train(wasTraining);
  }
  return correct / n;
}
