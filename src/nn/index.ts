/**
 * `nn`: modules, layers, losses and initialisers, like `torch.nn`.
 * @module
 */
export * as functional from './functional.js';
