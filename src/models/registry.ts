/**
 * The zoo by name, for the command line (`glubina summary --model resnet18`) and for code that
 * picks a model from a string.
 * @module
 */
import type { Tensor } from '../core/tensor.js';
import { alexnet, type AlexNetOptions } from './alexnet.js';
import type { VisionModel } from './base.js';
import { googlenet, type GoogLeNetOptions, type GoogLeNetOutputs } from './googlenet.js';
import { lenet5, type LeNet5Options } from './lenet.js';
import { plainNet20, plainNet32, plainNet44, plainNet56 } from './plain.js';
import {
  resnet18, resnet20, resnet32, resnet34, resnet44, resnet50, resnet56, resnet101, resnet152,
  type CifarResNetOptions, type ResNetOptions,
} from './resnet.js';
import { vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, type VggOptions } from './vgg.js';

/** Any model of the zoo. */
export type ZooModel = VisionModel<Tensor> | VisionModel<Tensor | GoogLeNetOutputs>;

/** The union of every builder's options (each builder reads its own). */
export type ZooOptions = LeNet5Options & AlexNetOptions & VggOptions & GoogLeNetOptions & ResNetOptions & CifarResNetOptions;

const BUILDERS: Readonly<Record<string, (options: ZooOptions) => ZooModel>> = {
  lenet5, alexnet, googlenet,
  vgg11, vgg11_bn: vgg11Bn, vgg13, vgg13_bn: vgg13Bn, vgg16, vgg16_bn: vgg16Bn, vgg19, vgg19_bn: vgg19Bn,
  resnet18, resnet34, resnet50, resnet101, resnet152,
  resnet20, resnet32, resnet44, resnet56,
  plainNet20, plainNet32, plainNet44, plainNet56,
};

/** Names {@link create} accepts (torchvision's spelling: `vgg16_bn`; `vgg16Bn` works too). */
export function list(): string[] {
  return Object.keys(BUILDERS);
}

/**
 * Builds a model by name with its options.
 * @example models.create('resnet18', { numClasses: 10 })
 */
export function create(name: string, options: ZooOptions = {}): ZooModel {
  const key = name.replace(/Bn$/, '_bn');
  const build = BUILDERS[key];
  if (!build) throw new Error(`models.create: unknown model '${name}'; known: ${list().join(', ')}`);
  return build(options);
}

/**
 * The input [C, H, W] a model of that name is designed for with its default options: [1, 32, 32]
 * for LeNet-5, [3, 32, 32] for the CIFAR ResNets and plain nets, [3, 224, 224] for the ImageNet
 * models — e.g. for `analysis.summary(models.create(name), models.defaultInputShape(name))`.
 */
export function defaultInputShape(name: string): [number, number, number] {
  const key = name.replace(/Bn$/, '_bn');
  if (!BUILDERS[key]) throw new Error(`models.defaultInputShape: unknown model '${name}'; known: ${list().join(', ')}`);
  if (key === 'lenet5') return [1, 32, 32];
  if (/^(resnet(20|32|44|56)|plainNet\d+)$/.test(key)) return [3, 32, 32];
  return [3, 224, 224];
}
