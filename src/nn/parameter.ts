/**
 * `Parameter`: a tensor that a {@link Module} learns, like `torch.nn.Parameter`.
 * @module
 */
import { zeros } from '../core/creation.js';
import { keep } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';

/**
 * A leaf tensor that requires grad (unless told otherwise) and that modules pick up as a learnable
 * parameter. It shares `data`'s memory, as PyTorch's Parameter does, but never its history.
 * Every Tensor method works on it; ops on it return plain tensors. A parameter outlives any
 * enclosing `tidy` (its memory is {@link keep | kept}), so a model may be built inside one.
 * @example const w = new nn.Parameter(randn(3, 4)); // w.requiresGrad === true
 */
export class Parameter extends Tensor {
  /**
   * @param data the values (shared, not copied); an empty float32 tensor when omitted.
   * @param requiresGrad whether gradients flow to it (default true; only floating dtypes can).
   */
  constructor(data: Tensor = zeros(0), requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    this.requiresGrad = requiresGrad;
    keep(this);
  }

  /** PyTorch prints `Parameter containing:` above the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
