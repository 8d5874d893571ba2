/**
 * `functional` (import as `F`): the stateless forms of layers and losses, like `torch.nn.functional`.
 * @module
 */
export { relu, sigmoid, tanh, leakyRelu, elu, softplus, softmax, logSoftmax } from '../ops/activation.js';
export {
  conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions,
} from '../ops/conv.js';
export {
  maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d,
  maxUnpool1d, maxUnpool2d, type MaxPoolOptions, type AvgPoolOptions, type AdaptiveMaxPoolOptions, type MaxUnpoolOptions, type AdaptiveSize,
} from '../ops/pool.js';
export { unfold, fold, type UnfoldOptions } from '../ops/unfold.js';
export { pad, type PadMode } from '../ops/pad.js';
export { interpolate, pixelShuffle, pixelUnshuffle, type InterpolateMode, type InterpolateOptions } from '../ops/resize.js';
export { linear } from './functional/linear.js';
export { dropout, type DropoutOptions } from './functional/dropout.js';
export { embedding } from './functional/embedding.js';
export { batchNorm, type BatchNormOptions } from './functional/normalization.js';
export {
  mseLoss, l1Loss, nllLoss, crossEntropy, binaryCrossEntropy, binaryCrossEntropyWithLogits, tripletMarginLoss,
  cosineEmbeddingLoss, pairwiseDistance,
  type Reduction, type ReductionOptions, type NLLLossOptions, type CrossEntropyOptions, type BCELossOptions,
  type BCEWithLogitsOptions, type TripletMarginOptions, type CosineEmbeddingOptions,
} from './functional/loss.js';
