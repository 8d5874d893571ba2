/**
 * Reference gather and scatter-add along one dim.
 * @module
 */
import type { View } from '../../core/backend.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { contiguousStrides } from '../../core/shape.js';
import { arrayOf, contiguousData, forEachOffset } from './storage.js';

/** Calls `visit(indexValue, coordinatesOffsetExceptDim, i)` for every element of `index`. */
function walkIndex(index: View, dim: number, targetStrides: readonly number[], targetOffset: number, visit: (base: number, i: number) => void): void {
  // Target offset of each index position with the dim's own coordinate zeroed.
  const strides = targetStrides.map((s, d) => (d === dim ? 0 : s));
  forEachOffset(index.shape, strides, targetOffset, visit);
}

/** out[i] = x[i with coordinate `dim` replaced by index[i]]. */
export function gatherKernel(x: View, dim: number, index: View): TypedArray {
  const X = arrayOf(x);
  const I = contiguousData(index);
  const out = allocArray(x.storage.dtype, I.length);
  const step = x.strides[dim];
  walkIndex(index, dim, x.strides, x.offset, (base, i) => {
    out[i] = X[base + I[i] * step];
  });
  return out;
}

/** A row-major copy of `self` with src[i] added at (i with coordinate `dim` replaced by index[i]). */
export function scatterAddKernel(self: View, dim: number, index: View, src: View): TypedArray {
  const out = contiguousData(self).slice();
  const I = contiguousData(index);
  const S = arrayOf(src);
  const selfStrides = contiguousStrides(self.shape);
  const step = selfStrides[dim];
  // src may be larger than index; read it at index's coordinates.
  const srcOffsets = new Int32Array(I.length);
  forEachOffset(index.shape, src.strides, src.offset, (p, i) => {
    srcOffsets[i] = p;
  });
  walkIndex(index, dim, selfStrides, 0, (base, i) => {
    out[base + I[i] * step] += S[srcOffsets[i]];
  });
  return out;
}
