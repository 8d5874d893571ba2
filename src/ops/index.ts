/**
 * Every op as a function (`add(a, b)`, `matmul(a, b)`, `cat([a, b], 1)`), like `torch.*`.
 * The same ops are methods of Tensor.
 * @module
 */
import './methods.js';

export type { TensorLike } from './helpers.js';
export {
  add, sub, mul, div, pow, neg, exp, log, log1p, sqrt, abs, sign, sin, cos, floor, ceil, round, clamp,
  maximum, minimum, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, where, to,
} from './elementwise.js';
export { sum, mean, amax, amin, max, min, argmax, argmin, variance, std, logsumexp, type Dims, type ValuesIndices, type VarOptions } from './reduce.js';
export { addmm, matmul, mm, bmm, type AddmmOptions } from './linalg.js';
export {
  reshape, view, flatten, squeeze, unsqueeze, permute, transpose, t, expand, expandAs, contiguous, clone, detach,
  slice, narrow, select, sumToShape,
} from './view.js';
export { cat, stack, split, chunk } from './join.js';
export { gather, scatterAdd, indexSelect, maskedFill } from './indexing.js';
export { relu, sigmoid, tanh, leakyRelu, elu, softplus, softmax, logSoftmax } from './activation.js';
export { copy_, fill_, zero_, add_, sub_, mul_, div_, clamp_ } from './inplace.js';
export {
  conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions,
} from './conv.js';
export {
  maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d,
  maxUnpool1d, maxUnpool2d, type MaxPoolOptions, type AvgPoolOptions, type AdaptiveMaxPoolOptions, type MaxUnpoolOptions, type AdaptiveSize,
} from './pool.js';
export { batchNormTraining } from './batch_norm.js';
export { pad, type PadMode } from './pad.js';
export { interpolate, pixelShuffle, pixelUnshuffle, type InterpolateMode, type InterpolateOptions } from './resize.js';
export type { SizeArg, ConvPadding } from '../core/conv_shape.js';
