/**
 * In-place updates (`add_`, `mul_`, `copy_`, `fill_`, `zero_`…) for optimisers, initialisers and
 * buffers. They bump the storage's version, so backward refuses tensors changed after being saved.
 * Autograd does not record them: they are refused on tensors that require grad unless inside noGrad().
 * @module
 */
import { isGradEnabled } from '../core/grad_mode.js';
import { broadcastShapes, fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, clamp, div, mul, sub } from './elementwise.js';
import { checkTensor, toTensor, type TensorLike } from './helpers.js';
import { expand } from './view.js';

function checkWritable(op: string, self: Tensor, value?: Tensor): void {
  checkTensor(op, 'self', self);
  if (value !== undefined) checkTensor(op, 'value', value);
  if (isGradEnabled() && (self.requiresGrad || value?.requiresGrad)) {
    throw new Error(
      `${op}: in-place ops are not recorded by autograd; on a tensor that requires grad ${fmtShape(self.shape)} ` +
        'use them inside noGrad(() => …), or use the out-of-place op',
    );
  }
}

/** Writes `value` into `self` for the in-place op `op` (so errors name the op the user called). */
function assign(op: string, self: Tensor, value: TensorLike): Tensor {
  const v = toTensor(value, self.dtype);
  checkWritable(op, self, v);
  const shape = broadcastShapes(op, v.shape, self.shape);
  if (shape.length !== self.ndim || shape.some((s, i) => s !== self.shape[i])) {
    throw new Error(`${op}: source ${fmtShape(v.shape)} does not broadcast to the destination ${fmtShape(self.shape)}`);
  }
  self.backend.copy(expand(v, self.shape), self);
  self.storage.version++;
  return self;
}

function fillWith(op: string, self: Tensor, value: number): Tensor {
  checkWritable(op, self);
  self.backend.fill(self, value);
  self.storage.version++;
  return self;
}

/** Writes `value` (broadcast to self's shape, converted to its dtype) into `self`. */
export function copy_(self: Tensor, value: TensorLike): Tensor {
  return assign('copy_', self, value);
}

/** Sets every element to `value`. */
export function fill_(self: Tensor, value: number): Tensor {
  return fillWith('fill_', self, value);
}

/** Sets every element to 0. */
export function zero_(self: Tensor): Tensor {
  return fillWith('zero_', self, 0);
}

/** `self += alpha·other`. */
export function add_(self: Tensor, other: TensorLike, options: { alpha?: number } = {}): Tensor {
  return assign('add_', self, add(self, other, options));
}

/** `self −= alpha·other`. */
export function sub_(self: Tensor, other: TensorLike, options: { alpha?: number } = {}): Tensor {
  return assign('sub_', self, sub(self, other, options));
}

/** `self *= other`. */
export function mul_(self: Tensor, other: TensorLike): Tensor {
  return assign('mul_', self, mul(self, other));
}

/** `self /= other`. */
export function div_(self: Tensor, other: TensorLike): Tensor {
  return assign('div_', self, div(self, other));
}

/** Clamps in place. */
export function clamp_(self: Tensor, min?: number | null, max?: number | null): Tensor {
  return assign('clamp_', self, clamp(self, min, max));
}
