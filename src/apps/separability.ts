/**
 * The course's first claim, measured: a linear classifier cannot separate a non-linear toy set,
 * a network with one hidden ReLU layer can.
 * @module
 */
import { manualSeed, noGrad, randn, zeros, type Tensor } from '../index.js';
import { makeMoons, makeXor, type ToyDataset } from '../data/toy.js';

/** A model as a list of parameters and a forward function, trained by full-batch gradient descent. */
interface TinyModel {
  params: Tensor[];
  forward(x: Tensor): Tensor;
}

function linearModel(): TinyModel {
  const w = randn([2, 2]).mul(0.1).requiresGrad_();
  const b = zeros([2], { requiresGrad: true });
  return { params: [w, b], forward: (x) => x.matmul(w).add(b) };
}

function hiddenLayerModel(hidden: number): TinyModel {
  // He initialisation for the ReLU layer: std √(2 / fan_in).
  const w1 = randn([2, hidden]).mul(Math.sqrt(2 / 2)).requiresGrad_();
  const b1 = zeros([hidden], { requiresGrad: true });
  const w2 = randn([hidden, 2]).mul(Math.sqrt(1 / hidden)).requiresGrad_();
  const b2 = zeros([2], { requiresGrad: true });
  return { params: [w1, b1, w2, b2], forward: (x) => x.matmul(w1).add(b1).relu().matmul(w2).add(b2) };
}

/** Mean cross-entropy of logits [n,2] against int32 labels [n]. */
function crossEntropy(logits: Tensor, y: Tensor): Tensor {
  return logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
}

function accuracy(model: TinyModel, data: ToyDataset): number {
  return noGrad(() => model.forward(data.x).argmax(1).eq(data.y).float().mean().item());
}

function train(model: TinyModel, data: ToyDataset, steps: number, lr: number): void {
  for (let i = 0; i < steps; i++) {
    for (const p of model.params) p.grad = null;
    crossEntropy(model.forward(data.x), data.y).backward();
    noGrad(() => {
      for (const p of model.params) p.sub_(p.grad!.mul(lr));
    });
  }
}

/** Accuracies of both models on one data set. */
export interface SeparabilityResult {
  dataset: string;
  linearTrain: number;
  linearTest: number;
  hiddenTrain: number;
  hiddenTest: number;
}

/** Trains both models on two-moons and XOR with a fixed seed and reports train/test accuracy. */
export function runSeparability(options: { seed?: number; steps?: number; hidden?: number } = {}): SeparabilityResult[] {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 1500;
  const sets: [string, ToyDataset, ToyDataset][] = [
    ['two moons', makeMoons(400, { noise: 0.1, seed }), makeMoons(400, { noise: 0.1, seed: seed + 1 })],
    ['XOR', makeXor(400, { seed }), makeXor(400, { seed: seed + 1 })],
  ];
  return sets.map(([name, trainSet, testSet]) => {
    manualSeed(seed);
    const lin = linearModel();
    train(lin, trainSet, steps, 0.5);
    const mlp = hiddenLayerModel(options.hidden ?? 32);
    train(mlp, trainSet, steps, 0.5);
    return {
      dataset: name,
      linearTrain: accuracy(lin, trainSet),
      linearTest: accuracy(lin, testSet),
      hiddenTrain: accuracy(mlp, trainSet),
      hiddenTest: accuracy(mlp, testSet),
    };
  });
}
