/**
 * Shape ops. Most return views that share storage (no copy): reshape of a compatible layout,
 * permute, transpose, expand, slice, select, squeeze/unsqueeze.
 * @module
 */
import { allocForOverwrite } from '../core/backend.js';
import { fmtShape, normalizeDim, numel, contiguousStrides, type Shape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { zeros } from '../core/creation.js';
import { checkTensor, record } from './helpers.js';
import { sum } from './reduce.js';

/** A view of `x` with a new shape/stride/offset; `rule` maps the view's gradient back to x's. */
function makeView(name: string, x: Tensor, shape: Shape, strides: readonly number[], offset: number, rule: (g: Tensor) => Tensor): Tensor {
  const out = new Tensor(x.storage, shape, strides, offset);
  return record(name, out, [x], (g) => [rule(g)]);
}

/** Resolves one `-1` and checks the element count. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (out.lastIndexOf(-1) !== unknown) throw new Error(`${op}: only one dim can be -1, got ${fmtShape(shape)}`);
  const known = out.reduce((a, s, i) => (i === unknown ? a : a * s), 1);
  for (const s of out) if (!(Number.isInteger(s) && (s >= 0 || s === -1))) throw new Error(`${op}: invalid size in ${fmtShape(shape)}`);
  if (unknown >= 0) {
    if (known === 0 || x.numel() % known !== 0) throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${x.numel()} (shape ${fmtShape(x.shape)})`);
    out[unknown] = x.numel() / known;
  }
  if (numel(out) !== x.numel()) throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${x.numel()} (shape ${fmtShape(x.shape)})`);
  return out;
}

/** Strides for viewing (shape, strides) as newShape without copying, or null (PyTorch's computeStride). */
function viewStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  if (numel(shape) === 0 || shape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

function shapeArg(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
}

/** A contiguous copy (or `x` itself when already contiguous). */
export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', 'input', x);
  if (x.isContiguous()) return x;
  const out = new Tensor(allocForOverwrite(x.backend, x.dtype, x.numel()), x.shape);
  x.backend.copy(x, out);
  return record('CloneBackward0', out, [x], (g) => [g]);
}

/** A copy that owns its memory, differentiable. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'input', x);
  const out = new Tensor(allocForOverwrite(x.backend, x.dtype, x.numel()), x.shape);
  x.backend.copy(x, out);
  return record('CloneBackward0', out, [x], (g) => [g]);
}

/** The same data with no gradient history. Shares storage. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.storage, x.shape, x.strides, x.offset);
}

/** Same elements in a new shape (one dim may be -1); a view when the layout allows, else a copy. */
export function reshape(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  const newShape = inferShape('reshape', x, shapeArg(shape));
  const strides = viewStrides(x.shape, x.strides, newShape);
  if (strides === null) return reshape(contiguous(x), newShape);
  return makeView('ViewBackward0', x, newShape, strides, x.offset, (g) => reshape(g, x.shape));
}

/** Like {@link reshape} but never copies: fails when the layout cannot be viewed in the new shape. */
export function view(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  const newShape = inferShape('view', x, shapeArg(shape));
  const strides = viewStrides(x.shape, x.strides, newShape);
  if (strides === null) {
    throw new Error(`view: shape ${fmtShape(newShape)} is not compatible with the input's size ${fmtShape(x.shape)} and strides ${fmtShape(x.strides)}; use reshape()`);
  }
  return makeView('ViewBackward0', x, newShape, strides, x.offset, (g) => reshape(g, x.shape));
}

/** Merges dims startDim…endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.shape);
  const e = normalizeDim('flatten', endDim, x.shape);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} (shape ${fmtShape(x.shape)})`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Reorders dims: `permute(x, 2, 0, 1)`. */
export function permute(x: Tensor, ...dims: (number | readonly number[])[]): Tensor {
  const order = shapeArg(dims).map((d) => normalizeDim('permute', d, x.shape));
  if (order.length !== x.ndim || new Set(order).size !== order.length) {
    throw new Error(`permute: dims ${fmtShape(shapeArg(dims))} are not a permutation of the ${x.ndim} dims of ${fmtShape(x.shape)}`);
  }
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return makeView('PermuteBackward0', x, order.map((d) => x.shape[d]), order.map((d) => x.strides[d]), x.offset, (g) => permute(g, inverse));
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const order = Array.from({ length: x.ndim }, (_, i) => i);
  const a = normalizeDim('transpose', dim0, x.shape);
  const b = normalizeDim('transpose', dim1, x.shape);
  if (x.ndim === 0) return x;
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Transpose of a matrix (≤ 2 dims). */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dims, got ${fmtShape(x.shape)}; use transpose()`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Sums `g` down to `shape`: the gradient of broadcasting `shape` up to `g.shape`. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  return reshape(sum(g, dims, true), shape);
}

/** Broadcasts size-1 dims (and new leading dims) to `sizes` without copying; -1 keeps a size. */
export function expand(x: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
  const target = shapeArg(sizes);
  if (target.length < x.ndim) throw new Error(`expand: target ${fmtShape(target)} has fewer dims than the input ${fmtShape(x.shape)}`);
  const lead = target.length - x.ndim;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < target.length; d++) {
    const src = d - lead;
    const want = target[d];
    if (src < 0) {
      if (want < 0) throw new Error(`expand: -1 is not allowed for the new leading dim ${d} in ${fmtShape(target)}`);
      shape.push(want);
      strides.push(0);
    } else if (want === -1 || want === x.shape[src]) {
      shape.push(x.shape[src]);
      strides.push(x.strides[src]);
    } else if (x.shape[src] === 1) {
      shape.push(want);
      strides.push(0);
    } else {
      throw new Error(`expand: the input's size ${x.shape[src]} at dim ${src} cannot be expanded to ${want} (input ${fmtShape(x.shape)}, target ${fmtShape(target)})`);
    }
  }
  if (shape.length === x.ndim && shape.every((s, i) => s === x.shape[i])) return x;
  return makeView('ExpandBackward0', x, shape, strides, x.offset, (g) => sumToShape(g, x.shape));
}

/** Expands `x` to the shape of `other`. */
export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

/** Removes size-1 dims (all of them, or only `dim`). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normalizeDim('squeeze', dim, x.shape);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/** Inserts a size-1 dim at `dim` (which may be x.ndim). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/**
 * Elements start, start+step, … before end along `dim`, as a view (Python's `x[start:end:step]`).
 * Negative start/end count from the end; out-of-range bounds are clamped as Python does.
 */
export function slice(x: Tensor, dim: number, start = 0, end = Infinity, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.shape);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step} (dim ${dim} of ${fmtShape(x.shape)})`);
  const size = x.shape[d];
  const clampIdx = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  return makeView('SliceBackward0', x, shape, strides, x.offset + s * x.strides[d], (g) => {
    // Scatter the gradient into the same slice of a zero tensor shaped like x.
    const gx = zeros([...x.shape], { dtype: g.dtype });
    const gxStrides = contiguousStrides(x.shape);
    const region = gxStrides.map((st, i) => (i === d ? st * step : st));
    x.backend.copy(g, new Tensor(gx.storage, shape, region, s * gxStrides[d]));
    return gx;
  });
}

/** `length` elements from `start` along `dim`, as a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.shape);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0 || s < 0 || s + length > size) {
    throw new Error(`narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/** The slice at `index` along `dim`, with that dim removed (Python's `x[:, i]`). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.shape);
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(x, d, i, i + 1), d);
}
