/**
 * What the convolution, pooling and resizing ops share: batching of unbatched inputs, input
 * checks, and constant tensors made on the input's backend.
 * @module
 */
import type { TypedArray } from '../core/dtype.js';
import { isFloating } from '../core/dtype.js';
import { fmtShape, numel, type Shape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { checkTensor } from './helpers.js';
import { squeeze, unsqueeze } from './view.js';

/** An input brought to [N, C, ...spatial], and how to undo that on outputs. */
export interface Batched {
  /** The input with a batch dim (a view when one was added). */
  readonly x: Tensor;
  /** Removes the batch dim again when the input had none. */
  readonly unbatch: (t: Tensor) => Tensor;
}

/**
 * Accepts a batched [N, C, ...spatial] or unbatched [C, ...spatial] input (`spatial` dims), as
 * PyTorch's conv and pooling ops do; throws naming the op and the shape otherwise.
 */
export function batched(op: string, x: unknown, spatial: number): Batched {
  const t = checkTensor(op, 'input', x);
  const names = spatial === 1 ? 'L' : spatial === 2 ? 'H,W' : 'D,H,W';
  if (t.ndim === spatial + 2) return { x: t, unbatch: (o) => o };
  if (t.ndim === spatial + 1) return { x: unsqueeze(t, 0), unbatch: (o) => squeeze(o, 0) };
  throw new Error(
    `${op}: expected a ${spatial + 1}-d (unbatched [C,${names}]) or ${spatial + 2}-d (batched [N,C,${names}]) input, got ${fmtShape(t.shape)}`,
  );
}

/** Throws unless `x` is a floating-point tensor. */
export function checkFloating(op: string, name: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new Error(`${op}: ${name} must be a floating-point tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  }
}

/** A new tensor on `like`'s backend holding `data` (copied). */
export function constant(like: Tensor, data: TypedArray, shape: Shape): Tensor {
  return new Tensor(like.backend.fromArray(data), shape);
}

/** A zero tensor of `like`'s dtype on `like`'s backend. */
export function zerosOn(like: Tensor, shape: Shape): Tensor {
  return new Tensor(like.backend.alloc(like.dtype, numel(shape)), shape);
}

/** A tensor of `like`'s dtype on `like`'s backend filled with `value`. */
export function fullOn(like: Tensor, shape: Shape, value: number): Tensor {
  const t = zerosOn(like, shape);
  if (value !== 0) t.backend.fill(t, value);
  return t;
}

/** `values` as a 1-d int32 tensor on `like`'s backend. */
export function indexTensor(like: Tensor, values: readonly number[]): Tensor {
  return constant(like, Int32Array.from(values), [values.length]);
}

/** A float tensor of `like`'s dtype and backend. */
export function floatTensor(like: Tensor, values: ArrayLike<number>, shape: Shape): Tensor {
  const data = like.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return constant(like, data, shape);
}
