/**
 * `models`: the classic convolutional architectures, like `torchvision.models`, with torchvision's
 * module names so that `stateDict()` keys — and so weights — are interchangeable with PyTorch.
 *
 * | Course | torchvision | glubina |
 * |---|---|---|
 * | LeNet-5 (1998) | — | {@link lenet5} |
 * | AlexNet (2012), one or two towers | `alexnet` | {@link alexnet} (`twoTower: true`) |
 * | VGG (2014) | `vgg11` … `vgg19_bn` | {@link vgg11} … {@link vgg19Bn} |
 * | GoogLeNet / Inception v1 (2014) | `googlenet` | {@link googlenet} |
 * | ResNet (2015) | `resnet18` … `resnet152` | {@link resnet18} … {@link resnet152} |
 * | CIFAR ResNets and their plain twins | — | {@link resnet20} … {@link resnet56}, {@link plainNet20} … |
 *
 * Weights: {@link loadWeights} / {@link saveWeights} (safetensors); build big models with
 * {@link skipInit} before loading. Every model checks its input and names the failing layer.
 * @module
 */
export { VisionModel, layerOutputSize, type ModelOptions } from './base.js';
export { withForwardHooks, activationAt, type ForwardHooks, type ActivationOptions } from './hooks.js';
export { skipInit, isInitSkipped } from './skip_init.js';
export { loadWeights, saveWeights } from './weights.js';
export { LocalResponseNorm, localResponseNorm } from './lrn.js';
export { LeNet5, lenet5, type LeNet5Options } from './lenet.js';
export { AlexNet, alexnet, type AlexNetOptions } from './alexnet.js';
export {
  VGG, vgg, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, vggFeatures, VGG_CONFIGS, type VggConfig, type VggOptions,
} from './vgg.js';
export { GoogLeNet, googlenet, BasicConv2d, Inception, InceptionAux, type GoogLeNetOptions, type GoogLeNetOutputs } from './googlenet.js';
export {
  ResNet, CifarResNet, BasicBlock, Bottleneck, ShortcutA, conv1x1, conv3x3,
  resnet18, resnet34, resnet50, resnet101, resnet152, cifarResNet, resnet20, resnet32, resnet44, resnet56,
  type ResNetOptions, type CifarResNetOptions,
} from './resnet.js';
export { plainNet, plainNet20, plainNet32, plainNet44, plainNet56, type PlainNetOptions } from './plain.js';
export { create, list, defaultInputShape, type ZooModel, type ZooOptions } from './registry.js';
