/**
 * Attaches `backward()` to Tensor, so the core class never imports autograd.
 * @module
 */
import { Tensor } from '../core/tensor.js';
import { backward, type BackwardOptions } from './engine.js';

declare module '../core/tensor.js' {
  interface Tensor {
    /**
     * Backpropagates from this tensor: fills `.grad` of every leaf that requires grad.
     * `gradient` (dL/dthis) may be omitted for one-element tensors.
     */
    backward(gradient?: Tensor, options?: BackwardOptions): void;
  }
}

Tensor.prototype.backward = function (gradient?: Tensor, options?: BackwardOptions): void {
  backward(this, gradient, options);
};
