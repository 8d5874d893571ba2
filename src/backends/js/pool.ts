/**
 * Reference max pooling over precomputed windows (regular, dilated, padded or adaptive alike).
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry, PoolAxis, Pool2dWindows } from '../../core/conv_shape.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { contiguousData } from './storage.js';

/** Average pooling straight over the image (see `Backend.avgPool2d`); float math in the input's dtype. */
export function avgPool2dKernel(x: View, g: Conv2dGeometry, divisors: Float64Array): TypedArray {
  const [N, C, H, W] = x.shape;
  const src = contiguousData(x);
  const out = allocArray(x.storage.dtype, N * C * g.outH * g.outW);
  const round = x.storage.dtype === 'float32' ? Math.fround : (v: number): number => v;
  let o = 0;
  for (let p = 0; p < N * C; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < g.outH; oh++) {
      const h0 = oh * g.strideH - g.padTop;
      for (let ow = 0; ow < g.outW; ow++) {
        const w0 = ow * g.strideW - g.padLeft;
        let s = 0;
        for (let h = Math.max(h0, 0); h < Math.min(h0 + g.kernelH, H); h++) {
          for (let w = Math.max(w0, 0); w < Math.min(w0 + g.kernelW, W); w++) s = round(s + (src[base + h * W + w] as number));
        }
        out[o] = s / round(divisors[oh * g.outW + ow]);
        o++;
      }
    }
  }
  return out;
}

/** The adjoint of {@link avgPool2dKernel}: grad [N, C, outH, outW] → [N, C, H, W]. */
export function avgPool2dBackwardKernel(grad: View, g: Conv2dGeometry, divisors: Float64Array): TypedArray {
  const [N, C] = grad.shape;
  const H = g.height;
  const W = g.width;
  const src = contiguousData(grad);
  const out = allocArray(grad.storage.dtype, N * C * H * W);
  const round = grad.storage.dtype === 'float32' ? Math.fround : (v: number): number => v;
  let i = 0;
  for (let p = 0; p < N * C; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < g.outH; oh++) {
      const h0 = oh * g.strideH - g.padTop;
      for (let ow = 0; ow < g.outW; ow++) {
        const w0 = ow * g.strideW - g.padLeft;
        const v = round((src[i] as number) / round(divisors[oh * g.outW + ow]));
        i++;
        for (let h = Math.max(h0, 0); h < Math.min(h0 + g.kernelH, H); h++) {
          for (let w = Math.max(w0, 0); w < Math.min(w0 + g.kernelW, W); w++) out[base + h * W + w] = (out[base + h * W + w] as number) + v;
        }
      }
    }
  }
  return out;
}

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
