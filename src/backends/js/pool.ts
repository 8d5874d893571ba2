/**
 * Reference max pooling over precomputed windows (regular, dilated, padded or adaptive alike).
 * @module
 */
import type { View } from '../../core/backend.js';
import type { PoolAxis, Pool2dWindows } from '../../core/conv_shape.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { contiguousData } from './storage.js';

/** Each window's first index inside the input: padding positions are stepped over, as PyTorch does. */
function firstInside(axis: PoolAxis): Int32Array {
  return Int32Array.from(axis.start, (s) => {
    while (s < 0) s += axis.step;
    return s;
  });
}

/** x [N, C, H, W] → max values and their int32 plane indices h·W + w, both [N, C, outH, outW]. */
export function maxPool2dKernel(x: View, windows: Pool2dWindows): [TypedArray, Int32Array] {
  const [N, C, H, W] = x.shape;
  const X = contiguousData(x);
  const { rows, cols } = windows;
  const oH = rows.start.length;
  const oW = cols.start.length;
  const h0 = firstInside(rows);
  const w0 = firstInside(cols);
  const values = allocArray(x.storage.dtype, N * C * oH * oW);
  const indices = new Int32Array(N * C * oH * oW);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < oH; oh++) {
      const hEnd = rows.end[oh];
      for (let ow = 0; ow < oW; ow++, o++) {
        const wEnd = cols.end[ow];
        let best = -Infinity;
        let bestIdx = h0[oh] * W + w0[ow];
        for (let h = h0[oh]; h < hEnd; h += rows.step) {
          for (let w = w0[ow]; w < wEnd; w += cols.step) {
            const v = X[base + h * W + w];
            // NaN propagates (v !== v), matching PyTorch's `val > maxval || isnan(val)`.
            if (v > best || v !== v) {
              best = v;
              bestIdx = h * W + w;
            }
          }
        }
        values[o] = best;
        indices[o] = bestIdx;
      }
    }
  }
  return [values, indices];
}
