/**
 * Reference max pooling over precomputed windows (regular, dilated, padded or adaptive alike).
 * @module
 */
import type { View } from '../../core/backend.js';
import type { Conv2dGeometry, PoolAxis, Pool2dWindows } from '../../core/conv_shape.js';
import { allocArray, type TypedArray } from '../../core/dtype.js';
import { contiguousData } from './storage.js';

/** Walks every window of `planes` planes: `visit(plane offset, rows [h0,h1), cols [w0,w1) inside the image, output index)`. */
function eachWindow(planes: number, g: Conv2dGeometry, visit: (base: number, h0: number, h1: number, w0: number, w1: number, o: number) => void): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * g.height * g.width;
    for (let oh = 0; oh < g.outH; oh++) {
      const h = oh * g.strideH - g.padTop;
      for (let ow = 0; ow < g.outW; ow++) {
        const w = ow * g.strideW - g.padLeft;
        visit(base, Math.max(h, 0), Math.min(h + g.kernelH, g.height), Math.max(w, 0), Math.min(w + g.kernelW, g.width), o++);
      }
    }
  }
}

/** Rounding to the dtype's precision after each operation (float32), or none (float64). */
function rounding(dtype: string): (v: number) => number {
  return dtype === 'float32' ? Math.fround : (v: number): number => v;
}

/** Average pooling straight over the image (see `Backend.avgPool2d`); float math in the input's dtype. */
export function avgPool2dKernel(x: View, g: Conv2dGeometry, divisors: Float64Array): TypedArray {
  const [N, C, , W] = x.shape;
  const src = contiguousData(x);
  const out = allocArray(x.storage.dtype, N * C * g.outH * g.outW);
  const round = rounding(x.storage.dtype);
  const L = g.outH * g.outW;
  eachWindow(N * C, g, (base, h0, h1, w0, w1, o) => {
    let s = 0;
    for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s = round(s + (src[base + h * W + w] as number));
    out[o] = s / round(divisors[o % L]);
  });
  return out;
}

/** The adjoint of {@link avgPool2dKernel}: grad [N, C, outH, outW] → [N, C, H, W]. */
export function avgPool2dBackwardKernel(grad: View, g: Conv2dGeometry, divisors: Float64Array): TypedArray {
  const [N, C] = grad.shape;
  const W = g.width;
  const src = contiguousData(grad);
  const out = allocArray(grad.storage.dtype, N * C * g.height * W);
  const round = rounding(grad.storage.dtype);
  const L = g.outH * g.outW;
  eachWindow(N * C, g, (base, h0, h1, w0, w1, o) => {
    const v = round((src[o] as number) / round(divisors[o % L]));
    for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) out[base + h * W + w] = (out[base + h * W + w] as number) + v;
  });
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
