/**
 * `nn`: modules, layers, losses and initialisers, like `torch.nn`.
 *
 * | PyTorch | glubina |
 * |---|---|
 * | `nn.Module`, `nn.Parameter` | {@link Module} (`module.call(x)` for `module(x)`), {@link Parameter} |
 * | `nn.Sequential`, `nn.ModuleList` | {@link Sequential}, {@link ModuleList} |
 * | `nn.Linear`, `nn.Identity`, `nn.Flatten`, `nn.Embedding` | the same names; plus {@link Maxout} |
 * | `nn.ReLU`, `nn.LeakyReLU`, `nn.Sigmoid`, `nn.Tanh`, `nn.ELU`, `nn.Softmax`, `nn.LogSoftmax` | the same names |
 * | `nn.Dropout`, `nn.BatchNorm1d`, `nn.BatchNorm2d` | the same names (Dropout also has a classic mode) |
 * | `nn.MSELoss`, `nn.L1Loss`, `nn.CrossEntropyLoss`, `nn.NLLLoss`, `nn.BCELoss`, `nn.BCEWithLogitsLoss`, `nn.TripletMarginLoss`, `nn.CosineEmbeddingLoss` | the same names |
 * | `nn.init.kaiming_normal_` … | `nn.init.kaimingNormal_` … |
 * | `nn.functional` | `nn.functional` (also exported at the top level as `functional`) |
 * @module
 */
export * as functional from './functional.js';
export * as init from './init.js';
export { Parameter } from './parameter.js';
export {
  Module, type AnyModule, type StateDict, type StateDictOptions, type LoadStateDictOptions, type LoadStateDictResult,
  type RegisterBufferOptions,
} from './module.js';
export { Sequential, ModuleList, type TensorModule } from './modules/container.js';
export { Linear, Maxout, Identity, Flatten, type LinearOptions } from './modules/linear.js';
export { Embedding, type EmbeddingOptions } from './modules/embedding.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, ELU, Softmax, LogSoftmax } from './modules/activation.js';
export { Dropout } from './modules/dropout.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from './modules/batchnorm.js';
export {
  MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, TripletMarginLoss, CosineEmbeddingLoss,
} from './modules/loss.js';
export * as utils from './utils.js';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, ConvNd, ConvTransposeNd, type ConvLayerOptions, type ConvTransposeLayerOptions, type ConvPaddingMode } from './modules/conv.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxUnpool1d, MaxUnpool2d, MaxPoolNd, AvgPoolNd, MaxUnpoolNd, type MaxPoolLayerOptions, type AvgPoolLayerOptions, type MaxUnpoolLayerOptions, type MaxPoolResult } from './modules/pooling.js';
export { Upsample, PixelShuffle, PixelUnshuffle, type UpsampleOptions } from './modules/upsampling.js';
export { ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d, PadNd, type PaddingSize } from './modules/padding.js';
