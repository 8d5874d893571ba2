/**
 * The MNIST models of the command line: `mlp`, `lenet` and `cnn`, each taking [N,1,28,28]
 * normalised images and giving 10 logits.
 * @module
 */
import type { Module } from '../../nn/module.js';
import { ReLU } from '../../nn/modules/activation.js';
import { BatchNorm2d } from '../../nn/modules/batchnorm.js';
import { Sequential } from '../../nn/modules/container.js';
import { Conv2d } from '../../nn/modules/conv.js';
import { Dropout } from '../../nn/modules/dropout.js';
import { Flatten, Linear } from '../../nn/modules/linear.js';
import { AdaptiveAvgPool2d } from '../../nn/modules/pooling.js';
import type { Tensor } from '../../core/tensor.js';
import { lenet5 } from '../../models/lenet.js';

/** The model names `train --model` accepts. */
export const MNIST_MODELS = ['mlp', 'lenet', 'cnn'] as const;

/** One of {@link MNIST_MODELS}. */
export type MnistModelName = (typeof MNIST_MODELS)[number];

/** A model from [N,1,28,28] images to [N,10] logits. */
export type MnistModel = Module<[Tensor], Tensor>;

/** Throws unless `name` is one of {@link MNIST_MODELS}. */
export function checkModelName(name: string): MnistModelName {
  if (!(MNIST_MODELS as readonly string[]).includes(name)) {
    throw new Error(`unknown MNIST model '${name}' (choose one of: ${MNIST_MODELS.join(', ')})`);
  }
  return name as MnistModelName;
}

/**
 * A multilayer perceptron 784 → 256 → 128 → 10 with ReLU (235,146 parameters): the fully connected
 * baseline (about 98% test accuracy).
 */
export function mnistMlp(): Sequential {
  return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
}

/**
 * LeNet-5 from the model zoo (`models.lenet5`) for 28×28 input (C1 pads by 2), with the usual
 * modern choices ReLU and max pooling (61,706 parameters).
 */
export function mnistLenet(): MnistModel {
  return lenet5({ inChannels: 1, numClasses: 10, inputSize: 28, activation: 'relu', pooling: 'max' });
}

/** conv 3×3 (no bias: BatchNorm has one) → BatchNorm → ReLU. */
function convBnRelu(inC: number, outC: number, stride: number, padding: number): Module[] {
  return [new Conv2d(inC, outC, 3, { stride, padding, bias: false }), new BatchNorm2d(outC), new ReLU()];
}

/**
 * The stronger model: a small all-convolutional VGG-style net with BatchNorm and Dropout.
 *
 * | layers | output |
 * |---|---|
 * | conv 3×3, 32 + BN + ReLU | 32×28×28 |
 * | conv 3×3 stride 2, 32 + BN + ReLU | 32×14×14 |
 * | conv 3×3, 64 + BN + ReLU | 64×14×14 |
 * | conv 3×3 stride 2, 64 + BN + ReLU | 64×7×7 |
 * | conv 3×3 valid, 128 + BN + ReLU | 128×5×5 |
 * | global average pool, Dropout(0.2), Linear(128, 10) | 10 |
 *
 * Strided convolutions downsample instead of pooling (learned downsampling, as in the
 * all-convolutional net of Springenberg et al. 2015), and global average pooling replaces the big
 * fully connected layer.
 */
export function mnistCnn(): Sequential {
  const w = [32, 32, 64, 64, 128];
  return new Sequential(
    ...convBnRelu(1, w[0], 1, 1),
    ...convBnRelu(w[0], w[1], 2, 1),
    ...convBnRelu(w[1], w[2], 1, 1),
    ...convBnRelu(w[2], w[3], 2, 1),
    ...convBnRelu(w[3], w[4], 1, 0),
    new AdaptiveAvgPool2d(1), new Flatten(), new Dropout(0.2), new Linear(w[4], 10),
  );
}

/** A fresh model by name (weights drawn from the default generator: seed it first). */
export function buildMnistModel(name: MnistModelName): MnistModel {
  switch (name) {
    case 'mlp': return mnistMlp();
    case 'lenet': return mnistLenet();
    case 'cnn': return mnistCnn();
    default: throw new Error(`unknown MNIST model '${String(name)}' (choose one of: ${MNIST_MODELS.join(', ')})`);
  }
}
