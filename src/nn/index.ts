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
