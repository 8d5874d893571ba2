/**
 * `functional` (import as `F`): the stateless forms of layers and losses, like `torch.nn.functional`.
 * @module
 */
export { relu, sigmoid, tanh, leakyRelu, elu, softplus, softmax, logSoftmax } from '../ops/activation.js';
